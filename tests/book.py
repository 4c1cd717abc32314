"""Shared facts about the book for the tests: the table of contents, the notebooks,
the configured repository."""

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO_URL = CONFIG["repository"]["url"]
BRANCH = CONFIG["repository"]["branch"]
SITE_URL = CONFIG["html"]["baseurl"]
# what the install cell installs: medimg-helpers @ BOOK_SPEC
BOOK_SPEC = f"git+{REPO_URL}@{BRANCH}"
SETUP_CELL = (
    "try:\n"
    "    import helpers\n"
    "except ImportError:  # Colab or a fresh environment: install the book's helpers\n"
    f'    BOOK = "{BOOK_SPEC}"\n'
    '    %pip install -q "medimg-helpers @ {BOOK}"\n'
    "    import helpers\n"
    'assert hasattr(helpers, "__version__"), f"{helpers.__file__} is not the '
    "book's helpers\"\n"
    "env = helpers.setup(seed=0)"
)


def toc_files() -> list[str]:
    """Every file named in _toc.yml, without suffix, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def source(cell) -> str:
    return (
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    )


def output_text(output) -> str:
    if "text" in output:
        return (
            "".join(output["text"])
            if isinstance(output["text"], list)
            else output["text"]
        )
    data = output.get("data", {})
    text = data.get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of the Markdown headings outside code fences."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6})\s+(.*)", line)):
            out.append((len(m.group(1)), m.group(2).strip()))
    return out


def normalise(name: str) -> str:
    """A distribution name in PEP 503 form (``scikit_image`` -> ``scikit-image``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def colab_pins() -> dict[str, str]:
    """{name: version} of every package on Colab's published list
    (tests/colab/pip-freeze.txt)."""
    text = (ROOT / "tests" / "colab" / "pip-freeze.txt").read_text()
    return {
        normalise(m.group(1)): m.group(2)
        for m in re.finditer(r"(?m)^([A-Za-z0-9_.\-]+)==(\S+)$", text)
    }


# Notebooks not yet brought to the current template and pins. They are NOT validated:
# the template tests skip them
# (shown by -rs) and `make test` leaves them out of nbval with a printed line. Keep this
# empty whenever possible.
NOT_YET_VALIDATED = {}


def fresh_venv(folder: Path, deps: Path | None = None) -> Path:
    """A new virtual environment in ``folder`` whose dependencies come from ``deps``
    (default: this environment's site-packages; offline), but which cannot import
    this clone's helpers; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "book-deps.pth").write_text(
        f"{deps or sysconfig.get_paths()['purelib']}\n"
    )
    return python


def tracked_files() -> list[str]:
    """The repository's files as a clone would have them: tracked, plus untracked
    ones git does not ignore."""
    names = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [name for name in names if (ROOT / name).is_file()]


def copy_book(dest: Path) -> Path:
    """A copy of the working tree's files (tracked and not ignored) in ``dest``."""
    import shutil

    for name in tracked_files():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    return dest


def pip(*args: str, python: Path | None = None, env: dict | None = None):
    """This environment's pip (``--python`` drives another interpreter, as Colab's pip
    would), offline and quiet about its version; returns the CompletedProcess."""
    target = ["--python", str(python)] if python else []
    command = [
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        *target,
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env)


def head_commit() -> str:
    """The checked-out commit: what a git install of this clone builds (a clone need
    not hold the release tag)."""
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
