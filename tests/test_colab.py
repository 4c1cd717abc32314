"""Colab: the install cell installs exactly the configured helpers, is a no-op where the
book's helpers are importable, refuses another module called helpers; the package
installs from a git URL into a fresh environment and brings its committed results;
requirements.txt pins what the notebooks import at Colab's versions.
(`make colab` resolves the install cell against Colab's whole package list; it needs
the package index.)"""

import ast
import os
import re
import subprocess
import sys
import types
from importlib.metadata import packages_distributions

import pytest
from IPython.core.inputtransformer2 import TransformerManager

import helpers
from tests.book import (
    BOOK_SPEC,
    BRANCH,
    REPO_URL,
    ROOT,
    SETUP_CELL,
    colab_pins,
    fresh_venv,
    head_commit,
    load,
    normalise,
    notebooks,
    pip,
    source,
)

TOOLCHAIN = {
    "ipython"
}  # imported for display only; the book's toolchain may differ from Colab's (README)


def run_setup_cell(module):
    """Run the set-up cell's Python with ``helpers`` importable as ``module``;
    returns the magics it called."""
    python = (
        TransformerManager()
        .transform_cell(SETUP_CELL)
        .replace("helpers.setup(seed=0)", "None")
    )
    magics = []

    class Shell:
        def run_line_magic(self, *args):
            magics.append(args)

    saved = sys.modules.get("helpers")
    sys.modules["helpers"] = module
    try:
        namespace = {"get_ipython": lambda: Shell()}
        exec(compile(python, "setup-cell", "exec"), namespace)
    finally:
        sys.modules["helpers"] = saved
    return namespace, magics


def test_setup_cell_names_the_configured_repository():
    assert REPO_URL == helpers.REPOSITORY and BRANCH == helpers.BRANCH
    assert BOOK_SPEC == f"git+{REPO_URL}@{BRANCH}"
    for path in notebooks():
        cells = [source(c) for c in load(path)["cells"] if c["cell_type"] == "code"]
        assert cells[0].strip() == SETUP_CELL, path.name
        assert sum("%pip install" in c for c in cells) == 1, (
            f"{path.name}: exactly one install line"
        )


def test_setup_cell_is_a_no_op_when_helpers_is_importable():
    assert "run_line_magic('pip'" in TransformerManager().transform_cell(SETUP_CELL)
    namespace, magics = run_setup_cell(helpers)
    assert magics == [], f"the install ran although helpers is importable: {magics}"
    assert namespace["helpers"] is helpers


def test_setup_cell_refuses_another_module_called_helpers(tmp_path):
    impostor = types.ModuleType("helpers")
    impostor.__file__ = str(tmp_path / "helpers.py")
    with pytest.raises(AssertionError, match="helpers.py is not the book's helpers"):
        run_setup_cell(impostor)


def test_install_cell_expands_the_repository_variable():
    python = TransformerManager().transform_cell(SETUP_CELL)
    assert (
        "'install -q \"medimg-helpers @ {BOOK}\"'" in python
    )  # IPython expands {BOOK} from the cell's namespace
    assert f'BOOK = "{BOOK_SPEC}"' in SETUP_CELL


def test_git_install_into_a_fresh_environment(tmp_path):
    """The install cell's requirement, with the remote URL replaced by this clone
    (the only difference), installs into a fresh interpreter, imports from there and
    finds its data registry and the committed results."""
    venv = tmp_path / "venv"
    # offline: the dependencies from this environment, the package itself from git
    python = fresh_venv(venv)
    # this clone's commit for the release tag
    spec = f"medimg-helpers @ git+file://{ROOT}@{head_commit()}"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    options = ["-q", "--no-deps", "--no-build-isolation"]
    result = pip("install", *options, spec, python=python, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    check = (
        "import helpers, helpers.data as d, helpers.results as m; "
        "print(helpers.__file__); "
        "print(len(d.REGISTRY)); print(d.path('ct_small').name); "
        "print(sorted(k for k in ('breastmnist', 'pneumoniamnist') if m.load(k))); "
        "import helpers.selection as s; print(s.load('pneumoniamnist')['dataset'])"
    )
    out = subprocess.run(
        [str(python), "-c", check], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr[-2000:]
    file, count, ct, results, selection_log = out.stdout.splitlines()
    assert file.startswith(str(venv)) and "site-packages" in file, (
        "helpers was not imported from the fresh venv"
    )
    assert int(count) == len(helpers.data.REGISTRY) and ct == "CT_small.dcm"
    assert results == "['breastmnist', 'pneumoniamnist']", (
        "the committed results did not come with the package"
    )
    assert selection_log == "pneumoniamnist", (
        "the selection logs did not come with the package"
    )


def imported_distributions() -> set[str]:
    """Distributions that the notebooks and helpers import (from their import
    statements)."""
    code = [
        source(c)
        for p in notebooks()
        for c in load(p)["cells"]
        if c["cell_type"] == "code"
    ]
    code += [p.read_text() for p in (ROOT / "src" / "helpers").glob("*.py")]
    modules = set()
    for text in code:
        text = "\n".join(
            line
            for line in text.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    owners = packages_distributions()
    found = {normalise(d) for m in modules if m != "helpers" for d in owners.get(m, [])}
    return {"tensorflow" if d == "tensorflow-cpu" else d for d in found}


def test_requirements_pin_what_the_notebooks_import_at_colabs_versions():
    colab = colab_pins()
    pins = {
        normalise(m.group(1)): m.group(2)
        for m in re.finditer(
            r"(?m)^([A-Za-z0-9_.\-]+)==(\S+)", (ROOT / "requirements.txt").read_text()
        )
    }
    pins["tensorflow"] = pins.pop("tensorflow-cpu")
    imported = imported_distributions() | {"tensorflow"}
    assert {"numpy", "keras", "scikit-image", "pydicom", "seaborn"} <= imported, (
        imported
    )
    checked = []
    for name in sorted(imported - TOOLCHAIN):
        assert name in pins, f"{name} is imported but not pinned in requirements.txt"
        if name in colab:
            assert pins[name] == colab[name], (
                f"{name}: requirements.txt {pins[name]}, Colab ships {colab[name]}"
            )
            checked.append(name)
    assert len(checked) >= 12, checked


def test_colab_list_is_the_published_one():
    published = ROOT.parent / "shared" / "colab" / "pip-freeze.txt"
    if not published.is_file():
        pytest.skip("../shared/colab is not beside this clone")
    assert (
        published.read_text()
        == (ROOT / "tests" / "colab" / "pip-freeze.txt").read_text()
    ), (
        "tests/colab/pip-freeze.txt differs from Colab's published list: copy it "
        "(README, 'When Colab upgrades')"
    )
