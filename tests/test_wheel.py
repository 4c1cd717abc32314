"""Packaging: pyproject.toml declares every import of the helpers (TensorFlow as the
`tf` extra), and the wheel, installed into a fresh environment that has the declared
dependencies but no TensorFlow, imports every module that
does not need TensorFlow, while `setup()` says in one line how to install it."""

import ast
import os
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.book import ROOT, fresh_venv, normalise, pip

SRC = ROOT / "src" / "helpers"
TF_MODULES = {
    "models",
    "training",
    "cases",
    "volumes",
    "explain",
}  # import TensorFlow when imported
JUPYTER = {
    "IPython"
}  # present wherever a notebook runs; book.py imports it only to display


def third_party_imports() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {
        m
        for m in found
        if m not in sys.stdlib_module_names and m not in {"__future__", "helpers"}
    }


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name = lambda spec: normalise(
        spec.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip()
    )  # noqa: E731
    return {name(d) for d in project["dependencies"]}, {
        name(d) for d in project["optional-dependencies"]["tf"]
    }


def test_pyproject_declares_every_import():
    deps, tf_extra = declared()
    owners = packages_distributions()
    missing = []
    for module in sorted(third_party_imports() - JUPYTER):
        dists = {normalise(d) for d in owners.get(module, [])}
        if module in {"tensorflow", "keras"}:
            assert module in tf_extra, f"{module} belongs in the tf extra"
        elif not dists & deps:
            missing.append(
                f"{module} ({', '.join(sorted(dists)) or 'unknown distribution'})"
            )
    assert not missing, (
        f"imported by the helpers but not in pyproject.toml dependencies: {missing}"
    )
    assert "tensorflow" not in deps, (
        "TensorFlow is an extra: Colab ships it, local work pins tensorflow-cpu"
    )


def test_wheel_without_tensorflow_imports_and_explains(tmp_path):
    wheel_dir = tmp_path / "wheel"
    options = ["--no-deps", "--no-build-isolation", "--quiet"]
    built = pip("wheel", *options, "-w", str(wheel_dir), str(ROOT))
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(wheel_dir.glob("medimg_helpers-*.whl"))
    # the dependencies of this environment, less TensorFlow and Keras (and this clone's
    # editable helpers)
    deps = tmp_path / "deps"
    deps.mkdir()
    left_out = (
        "tensorflow",
        "keras",
        "tf_keras",
        "tensorboard",
        "__editable__",
        "medimg_helpers",
        "helpers",
    )
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(left_out) and entry.suffix != ".pth":
            (deps / entry.name).symlink_to(entry)
    python = fresh_venv(tmp_path / "venv", deps)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    installed = pip("install", "-q", "--no-deps", str(wheel), python=python, env=env)
    assert installed.returncode == 0, installed.stderr[-2000:]
    modules = sorted(
        p.stem
        for p in SRC.glob("*.py")
        if p.stem != "__init__" and p.stem not in TF_MODULES
    )
    chapters = sorted(p.stem for p in (SRC / "exercises").glob("ch*.py"))
    probe = (
        "import importlib, helpers\n"
        f"for m in {modules!r}: importlib.import_module('helpers.' + m)\n"
        f"for m in {chapters!r}: importlib.import_module('helpers.exercises.' + m)\n"
        "print(helpers.__file__)\n"
        "try:\n    import tensorflow\nexcept ModuleNotFoundError:\n    print('no "
        "tensorflow')\n"
        "try:\n    helpers.setup()\nexcept ModuleNotFoundError as err:\n    "
        "print(err)\n"
    )
    run = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr[-3000:]
    file, no_tf, message = run.stdout.strip().splitlines()
    assert file.startswith(str(tmp_path / "venv")), (
        "the helpers did not come from the wheel"
    )
    assert no_tf == "no tensorflow"
    assert 'pip install "medimg-helpers[tf]"' in message and "\n" not in message
    assert len(modules) >= 14, modules


def test_contributing_maps_every_module():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    table = text.split("## Map of the helpers", 1)[1].split("\n## ", 1)[0]
    listed = {
        line.split("`")[1] for line in table.splitlines() if line.startswith("| `")
    }
    modules = {p.stem for p in SRC.glob("*.py")} | {"exercises"}
    assert listed == modules, (
        f"missing: {sorted(modules - listed)}; gone: {sorted(listed - modules)}"
    )
    for line in table.splitlines():
        if "(TF)" in line:
            assert line.split("`")[1] in TF_MODULES, line


def _sibling_imports(module: Path) -> set[str]:
    """The helpers modules that ``module`` imports (``from .x import ...``, at the
    top or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= (
                {node.module.split(".")[0]}
                if node.module
                else {a.name for a in node.names}
            )
    return found & ({p.stem for p in SRC.glob("*.py")} | {"exercises"})


def test_contributing_map_states_each_modules_imports():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    table = text.split("## Map of the helpers", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        if not line.startswith("| `") or line.startswith("| `exercises`"):
            continue
        name, imports = line.split("`")[1], line.rsplit("|", 2)[1]
        listed = {part.strip(" `") for part in imports.split(",")} - {"—", ""}
        file = SRC / ("__init__.py" if name == "__init__" else f"{name}.py")
        assert listed == _sibling_imports(file), (
            f"{name}: CONTRIBUTING says {sorted(listed)}"
        )
