"""Point the book at its home: derive every URL of the book from _config.yml and rewrite
the files that hold one.

The setting is three keys of _config.yml: ``repository.url`` (the git repository),
``repository.branch`` (the release tag, or a branch, that the notebooks and the helpers
come from) and ``html.baseurl`` (the published site). From them come:

- the Colab badge of each notebook:
  ``https://colab.research.google.com/github/OWNER/REPO/blob/REF/notebooks/...``;
- the install cell: ``git+URL@REF``;
- the raw files (the committed CT slices):
  ``https://raw.githubusercontent.com/OWNER/REPO/REF`` for GitHub, ``URL/raw/REF`` for
  any other host (the shape of Gitea and Forgejo, and of the book's offline test);
- cross-links: ``BASEURL<page>.html``; ``pyproject.toml``, README, CONTRIBUTING and
  CITATION.cff name URL and BASEURL.

The previous home is read from ``src/helpers/home.py`` (which this script writes), every
file that names it is rewritten, then ``home.py`` is written anew. ``--check`` changes
nothing and exits 1 when a file would change.

Usage: python scripts/retarget.py [--check] [--root DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

HOME_PY = Path("src/helpers/home.py")
# every file that may name the book's home (all text files of the repository the readers
# or packagers see)
GLOBS = [
    "notebooks/*.ipynb",
    "book/*.md",
    "*.md",
    "pyproject.toml",
    "CITATION.cff",
    "environment.yml",
    "src/helpers/*.py",
    "scripts/*.py",
    ".github/workflows/*.yml",
]


@dataclass(frozen=True)
class Home:
    repository: str  # https://github.com/OWNER/REPO (no trailing slash, no .git)
    ref: str  # a release tag such as v0.3.0, or a branch
    site: str  # https://OWNER.github.io/REPO/ (with the trailing slash)

    @property
    def slug(self) -> str:
        return urlparse(self.repository).path.strip("/")

    @property
    def raw(self) -> str:
        parsed = urlparse(self.repository)
        if parsed.netloc == "github.com":
            return f"https://raw.githubusercontent.com/{self.slug}/{self.ref}"
        return f"{self.repository}/raw/{self.ref}"

    @property
    def colab(self) -> str:
        """Prefix of a notebook's Colab URL (add ``notebooks/NAME.ipynb``); Colab
        opens GitHub repositories only."""
        return f"https://colab.research.google.com/github/{self.slug}/blob/{self.ref}/"

    @property
    def install(self) -> str:
        return f"git+{self.repository}@{self.ref}"

    def replacements(self, new: Home) -> list[tuple[str, str]]:
        """(old, new) string pairs, the longest forms first so that a prefix never
        breaks a longer URL."""
        pairs = [
            (self.colab, new.colab),
            (self.install, new.install),
            (self.raw, new.raw),
            (self.site, new.site),
            (self.repository, new.repository),
        ]
        return [(a, b) for a, b in pairs if a != b]


def configured(root: Path) -> Home:
    """The home that _config.yml sets."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/").removesuffix(".git")
    site = config["html"]["baseurl"].rstrip("/") + "/"
    return Home(url, str(config["repository"]["branch"]), site)


def current(root: Path) -> Home:
    """The home the files now follow, as home.py records it."""
    text = (root / HOME_PY).read_text()
    value = {
        k: re.search(rf'^{k} = "([^"]*)"', text, re.M).group(1)
        for k in ("REPOSITORY", "REF", "SITE_URL")
    }
    return Home(value["REPOSITORY"], value["REF"], value["SITE_URL"])


def home_py(text: str, home: Home) -> str:
    """home.py's ``text`` with its four constants set to ``home``."""
    for name, value in (
        ("REPOSITORY", home.repository),
        ("REF", home.ref),
        ("SITE_URL", home.site),
        ("RAW_URL", home.raw),
    ):
        text = re.sub(rf'(?m)^{name} = "[^"]*"$', f'{name} = "{value}"', text)
    return text


def files(root: Path) -> list[Path]:
    found = {p for pattern in GLOBS for p in root.glob(pattern) if p.is_file()}
    return sorted(found - {root / HOME_PY})


def retarget(root: Path, check: bool = False) -> list[Path]:
    """Rewrite every file from the home in home.py to the one in _config.yml; return
    the files changed (or that would change with ``check``)."""
    old, new = current(root), configured(root)
    pairs = old.replacements(new)
    changed = []
    for path in files(root):
        text = path.read_text(encoding="utf-8")
        updated = text
        for a, b in pairs:
            updated = updated.replace(a, b)
        if updated != text:
            changed.append(path)
            if not check:
                path.write_text(updated, encoding="utf-8")
    text = (root / HOME_PY).read_text()
    if text != home_py(text, new):
        changed.append(root / HOME_PY)
        if not check:
            (root / HOME_PY).write_text(home_py(text, new))
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a file would change",
    )
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parents[1]
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    new = configured(root)
    changed = retarget(root, check=args.check)
    names = ", ".join(str(p.relative_to(root)) for p in changed) or "nothing"
    if args.check:
        if changed:
            print(
                f"not following _config.yml's home ({new.repository} @ {new.ref}, "
                f"{new.site}): {names}. "
                "Run `make retarget`."
            )
            return 1
        print(
            f"every file follows the book's home: {new.repository} @ {new.ref}, "
            f"{new.site}"
        )
        return 0
    print(f"home: {new.repository} @ {new.ref}, site {new.site}; rewritten: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
