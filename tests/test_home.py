"""The book's home is one setting (_config.yml): every URL of it in the repository is
derived from that setting, and `make retarget` moves the whole book to another home,
leaving no trace of the old one."""

import shutil
import subprocess
import sys

import pytest
import yaml

import helpers
from helpers import home
from scripts import retarget
from tests.book import ROOT, copy_book, load, notebooks, source, tracked_files

HOME = retarget.configured(ROOT)


def tracked_text_files():
    for name in tracked_files():
        path = ROOT / name
        if path.suffix not in {".dcm", ".npz", ".png", ".ico", ".gz", ".whl"}:
            try:
                yield name, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def test_every_file_follows_the_configured_home():
    assert retarget.retarget(ROOT, check=True) == [], "run `make retarget`"
    assert (home.REPOSITORY, home.REF, home.SITE_URL, home.RAW_URL) == (
        HOME.repository,
        HOME.ref,
        HOME.site,
        HOME.raw,
    )
    assert (helpers.REPOSITORY, helpers.BRANCH) == (HOME.repository, HOME.ref)


def test_the_notebooks_come_from_the_release_of_their_helpers():
    """The install cell installs the helpers at the tag the notebooks are published
    from: v<helpers version>."""
    assert HOME.ref == f"v{helpers.__version__}", (
        "release procedure: CONTRIBUTING.md ('Releasing')"
    )
    for path in notebooks():
        first_code = next(c for c in load(path)["cells"] if c["cell_type"] == "code")
        assert f'BOOK = "{HOME.install}"' in source(first_code), path.name
        badge = f"({HOME.colab}notebooks/{path.name})"
        assert badge in source(load(path)["cells"][0]), f"{path.name}: Colab badge"


def test_no_url_of_the_home_except_the_derived_ones():
    """Any mention of the repository or the site is one of the derived URLs (a badge
    at another ref, a hand-typed @main or a raw URL of another branch fails here)."""
    needles = [HOME.slug, HOME.site.split("//")[1].split("/")[0]]
    stop = set(" \t\n\"'()[]<>`,")
    bad = []
    for name, text in tracked_text_files():
        if name.startswith(
            ("tests/colab/", "tests/test_home.py", "tests/test_published.py")
        ):
            continue
        for needle in needles:
            start = text.find(needle)
            while start != -1:
                begin, end = start, start + len(needle)
                while begin > 0 and text[begin - 1] not in stop:
                    begin -= 1
                while end < len(text) and text[end] not in stop:
                    end += 1
                url = text[begin:end].rstrip(".;:\\")
                derived = url in (HOME.repository, HOME.raw, HOME.site) or any(
                    url.startswith(d)
                    for d in (HOME.colab, HOME.install, HOME.raw + "/", HOME.site)
                )
                if not derived:
                    bad.append(f"{name}: {url}")
                start = text.find(needle, end)
    assert not bad, "URLs of the home not derived from _config.yml:\n" + "\n".join(
        sorted(set(bad))[:20]
    )


def test_retarget_moves_every_url_and_back(tmp_path):
    """A copy retargeted at another home names only the new one; retargeted back, it
    is byte-identical."""
    copy = copy_book(tmp_path / "book")
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    config_path = copy / "_config.yml"
    original = config_path.read_text()
    config = yaml.safe_load(original)
    moved = original.replace(
        f"url: {HOME.repository}", "url: https://git.example.org/someone/medbook"
    )
    moved = moved.replace(f"branch: {HOME.ref}", "branch: v9.9.9")
    moved = moved.replace(
        f"baseurl: {config['html']['baseurl']}",
        "baseurl: https://someone.example.org/medbook/",
    )
    assert moved != original
    config_path.write_text(moved)
    changed = retarget.retarget(copy)
    assert len(changed) > len(notebooks()), "every notebook names the home"
    for path in copy.rglob("*"):
        if (
            path.is_file()
            and path.suffix != ".yml"
            and path.name not in {"test_home.py", "test_published.py"}
        ):
            text = path.read_text(errors="ignore")
            assert HOME.slug not in text and HOME.site not in text, (
                f"{path.relative_to(copy)} keeps the old home"
            )
    new_home = (copy / "src/helpers/home.py").read_text()
    assert 'RAW_URL = "https://git.example.org/someone/medbook/raw/v9.9.9"' in new_home
    assert retarget.retarget(copy, check=True) == []
    config_path.write_text(original)
    retarget.retarget(copy)
    after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after == before


def test_retarget_check_fails_with_a_one_line_reason(tmp_path):
    copy = tmp_path / "book"
    shutil.copytree(
        ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    (copy / "README.md").write_text(f"Install: {HOME.install}\n")
    config = (
        (ROOT / "_config.yml")
        .read_text()
        .replace(f"branch: {HOME.ref}", "branch: v0.0.1")
    )
    (copy / "_config.yml").write_text(config)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "retarget.py"),
            "--check",
            "--root",
            str(copy),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "README.md" in result.stdout and "make retarget" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "repository, raw",
    [
        ("https://github.com/a/b", "https://raw.githubusercontent.com/a/b/v1.0.0"),
        ("http://127.0.0.1:8000/a/b", "http://127.0.0.1:8000/a/b/raw/v1.0.0"),
    ],
)
def test_raw_url_shapes(repository, raw):
    assert retarget.Home(repository, "v1.0.0", "https://x.org/").raw == raw
