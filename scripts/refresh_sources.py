"""Check (or with --fix, refresh) the outputs of notebook cells that end in
``show_source(helper)``.

Such an output is the helper's source code, highlighted: a pure function of
``src/helpers``. When a helper changes, its shown source goes stale and nbval fails on a
cell that needs no re-execution. ``tests/test_shown_sources.py`` runs the check;
``python scripts/refresh_sources.py --fix`` rewrites the stale outputs in place and
changes nothing else in the notebooks.
"""

import argparse
import ast
import json
import re
import sys
from pathlib import Path

from helpers.book import show_source

ROOT = Path(__file__).resolve().parents[1]
CALL = re.compile(r"^(?:book\.)?show_source\(([\w.]+)\)\s*$")
IMPORT = re.compile(
    r"^\s*(from helpers(?:\.\w+)? import .+|import helpers(?:\.\w+)?(?: as \w+)?)\s*$"
)
ALIAS = re.compile(
    r"^(\w+) = \(?\s*([\w.]+)\s*\)?(?:\s*#.*)?$", re.MULTILINE
)  # variant = (models.x)  # ...


def helper_imports(lines: list[str]) -> list[str]:
    """The import statements from ``helpers`` in a cell's ``lines`` (one statement may
    span several lines, as ruff formats a long ``from helpers import (...)``)."""
    code = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    return [
        ast.unparse(node)
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and IMPORT.match(ast.unparse(node))
    ]


def shown_sources(notebook: dict):
    """Yield (cell, fresh output data) for each code cell whose last line is
    ``show_source(name)``."""
    namespace = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).strip().splitlines()
        # the notebook's own imports from helpers give the names their meaning
        for statement in helper_imports(lines):
            exec(statement, namespace)
        for name, value in ALIAS.findall("\n".join(lines)):
            try:
                namespace[name] = eval(value, namespace)
            except (NameError, AttributeError):
                pass
        match = CALL.match(lines[-1]) if lines else None
        if match:
            code = show_source(eval(match.group(1), namespace))
            yield (
                cell,
                {
                    "text/html": code._repr_html_(),
                    "text/latex": code._repr_latex_(),
                    "text/plain": repr(code).rstrip("\n"),
                },
            )  # Jupyter stores it without the final newline


def stored(cell) -> dict:
    data = next(
        (
            o["data"]
            for o in cell["outputs"]
            if o.get("output_type") == "execute_result"
        ),
        {},
    )
    return {k: "".join(v) if isinstance(v, list) else v for k, v in data.items()}


def is_stale(cell, fresh: dict) -> bool:
    """True when the cell's stored output differs from the freshly rendered source."""
    old = stored(cell)
    return {k: old.get(k) for k in fresh} != fresh


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fix", action="store_true", help="rewrite stale outputs in place"
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    stale = 0
    for path in args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        changed = False
        for cell, fresh in shown_sources(notebook):
            if is_stale(cell, fresh):
                stale += 1
                print(
                    f"{path.name}: stale source shown by "
                    f"{''.join(cell['source']).strip().splitlines()[-1]}"
                )
                if args.fix:
                    result = next(
                        o
                        for o in cell["outputs"]
                        if o.get("output_type") == "execute_result"
                    )
                    result["data"].update(
                        {k: v.splitlines(keepends=True) for k, v in fresh.items()}
                    )
                    changed = True
        if changed:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return 1 if stale and not args.fix else 0


if __name__ == "__main__":
    sys.exit(main())
