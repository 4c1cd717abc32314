"""The published path, proven offline: a copy of the book retargeted at a git server on
127.0.0.1 serves the two URL shapes readers use (a git clone URL for the install cell,
raw-file URLs for the committed CT slices); the copy's own install cell installs the
helpers from the release tag into a fresh environment, and those helpers download a
series through the raw URLs, hash-checked."""

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading

import pytest

import helpers
from tests.book import copy_book, fresh_venv

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

RUN_INSTALL_CELL = r"""
import json, shlex, subprocess, sys
from IPython.core.inputtransformer2 import TransformerManager

cell = json.load(open(sys.argv[1]))["cells"]
cell = next(c for c in cell if c["cell_type"] == "code")
python = TransformerManager().transform_cell("".join(cell["source"]))
# TensorFlow's start-up is not what this test is about
python = python.replace("helpers.setup(seed=0)", "None")
namespace = {}

# what IPython's %pip does: pip in this interpreter, {NAME} expanded from the namespace
class Shell:
    def run_line_magic(self, magic, line):
        assert magic == "pip", magic
        args = shlex.split(line.format(**namespace))
        pip = [sys.executable, "-m", "pip", *args]
        subprocess.run([*pip, "--no-deps", "--no-build-isolation"], check=True)

namespace["get_ipython"] = lambda: Shell()
exec(compile(python, "install-cell", "exec"), namespace)
import helpers, helpers.home as home, helpers.data as data
folder = data.path("ct_acrin_flt_breast_001")
found = {"file": helpers.__file__, "version": helpers.__version__, "raw": home.RAW_URL}
found |= {"book": namespace["BOOK"], "slices": len(list(folder.glob("*.dcm")))}
print(json.dumps(found))
"""


class Handler(http.server.SimpleHTTPRequestHandler):
    requests: list = []

    def log_message(self, *args):
        Handler.requests.append(self.path)


def git(*args, cwd):
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@127.0.0.1",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@127.0.0.1",
    )
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "srv"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_install_cell_and_data_download_through_the_published_urls(tmp_path, server):
    srv, base = server
    book = copy_book(tmp_path / "book")
    # 1. retarget the copy at the local server, as a maintainer would move the book
    repository, tag = f"{base}/medimg-test/book", f"v{helpers.__version__}"
    config = (book / "_config.yml").read_text()
    config = re.sub(r"(?m)^  url: .*$", f"  url: {repository}", config, count=1)
    config = re.sub(r"(?m)^  baseurl: \S+", f"  baseurl: {base}/site/", config, count=1)
    (book / "_config.yml").write_text(config)
    subprocess.run(
        [sys.executable, "scripts/retarget.py"],
        cwd=book,
        check=True,
        capture_output=True,
    )
    assert helpers.REPOSITORY not in (book / "notebooks" / "00_setup.ipynb").read_text()
    # 2. publish it: a release commit and tag, a bare clone served over dumb HTTP, raw
    # files beside it
    git("init", "-q", "-b", "main", cwd=book)
    git("add", "-A", cwd=book)
    git("commit", "-q", "-m", "release", cwd=book)
    git("tag", tag, cwd=book)
    bare = srv / "medimg-test" / "book"
    git("clone", "-q", "--bare", str(book), str(bare), cwd=tmp_path)
    git("update-server-info", cwd=bare)
    shutil.copytree(book / "data", bare / "raw" / tag / "data")
    # 3. a fresh environment (the dependencies from this one, not helpers) runs the
    # copy's own install cell
    venv = tmp_path / "venv"
    python = fresh_venv(
        venv
    )  # offline: the dependencies from this environment, the package itself from git
    (tmp_path / "run_install_cell.py").write_text(RUN_INSTALL_CELL)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIMG_", "PIP_"))}
    env.update(
        MEDIMG_CACHE_DIR=str(tmp_path / "cache"),
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    result = subprocess.run(
        [
            str(python),
            str(tmp_path / "run_install_cell.py"),
            str(book / "notebooks" / "00_setup.ipynb"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["book"] == f"git+{repository}@{tag}"
    assert report["file"].startswith(str(venv)), (
        "helpers was not installed into the fresh environment"
    )
    assert report["version"] == helpers.__version__
    assert report["raw"] == f"{repository}/raw/{tag}"
    assert report["slices"] == 36
    assert "/medimg-test/book/info/refs?service=git-upload-pack" in Handler.requests, (
        "the install did not use git"
    )
    assert (
        f"/medimg-test/book/raw/{tag}/data/ct_acrin_flt_breast_001/1-064.dcm"
        in Handler.requests
    )
