"""Prose quality: spelling (codespell) of every page and notebook Markdown; heading
hierarchy of the pages."""

import subprocess
import sys

from tests.book import ROOT, headings, load, notebooks, source

PAGES = sorted((ROOT / "book").glob("*.md"))


def test_spelling(tmp_path):
    for path in notebooks():
        text = "\n\n".join(
            source(c)
            for c in load(path)["cells"]
            if c["cell_type"] in ("markdown", "code")
        )
        (tmp_path / f"{path.stem}.md").write_text(text)
    targets = [str(p) for p in PAGES] + [
        str(ROOT / "README.md"),
        str(ROOT / "CONTRIBUTING.md"),
        str(ROOT / "src"),
        str(ROOT / "scripts"),
        str(tmp_path),
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "codespell_lib",
            "--toml",
            str(ROOT / "pyproject.toml"),
            *targets,
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "misspellings:\n" + result.stdout.replace(
        str(tmp_path) + "/", "notebooks/"
    )


def test_pages_have_one_title_and_no_skipped_levels():
    for page in PAGES:
        levels = headings(page.read_text())
        assert [lvl for lvl, _ in levels].count(1) == 1, f"{page.name}: exactly one H1"
        for (previous, _), (level, text) in zip(levels, levels[1:]):
            assert level <= previous + 1, (
                f"{page.name}: '{text}' jumps from H{previous} to H{level}"
            )
