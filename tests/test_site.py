"""The built site (run after `make book`): every page, internal link and asset
resolves; Colab and download buttons point at the right notebook of the configured
repository; every notebook page carries its measured runtime badge."""

import re
import subprocess
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup

from tests.book import BRANCH, REPO_URL, ROOT, SITE_URL, toc_files

HTML = ROOT / "_build" / "html"
pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def pages():
    assert (HTML / "index.html").is_file(), "build the site first: make book"
    return {
        p: BeautifulSoup(p.read_text(), "html.parser")
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).as_posix().startswith(("_static/", "_sources/"))
    }


def test_every_toc_entry_is_built():
    for entry in toc_files():
        assert (HTML / f"{entry}.html").is_file(), f"{entry} was not built"


def test_internal_links_and_assets_resolve(pages):
    ids = {
        page: {tag["id"] for tag in soup.find_all(id=True)}
        for page, soup in pages.items()
    }
    broken = []
    for page, soup in pages.items():
        for tag, attr in (
            ("a", "href"),
            ("img", "src"),
            ("script", "src"),
            ("link", "href"),
        ):
            for element in soup.find_all(tag):
                url = element.get(attr)
                if not url or url.startswith(("mailto:", "javascript:", "data:")):
                    continue
                if tag == "link" and "canonical" in element.get("rel", []):
                    continue  # html.baseurl: names the published page, never loaded
                parsed = urlparse(url)
                if parsed.scheme or parsed.netloc:
                    if tag in ("img", "script", "link") and not url.startswith(
                        "https://colab"
                    ):
                        broken.append(
                            f"{page.relative_to(HTML)}: external {tag} {url} (the "
                            "site must work offline)"
                        )
                    continue
                target = (
                    (page.parent / unquote(parsed.path)).resolve()
                    if parsed.path
                    else page
                )
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    broken.append(f"{page.relative_to(HTML)}: {url}")
                elif (
                    parsed.fragment
                    and target.suffix == ".html"
                    and target in ids
                    and parsed.fragment not in ids[target]
                ):
                    broken.append(f"{page.relative_to(HTML)}: missing anchor {url}")
    assert not broken, "\n".join(broken[:40])


def test_colab_and_download_buttons(pages):
    tracked = set(
        subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True
        ).stdout.split()
    )
    repo_path = urlparse(REPO_URL).path.strip("/")
    notebook_pages = [
        HTML / f"{e}.html" for e in toc_files() if e.startswith("notebooks/")
    ]
    assert len(notebook_pages) >= 17
    for page in notebook_pages:
        soup = pages[page]
        colab = {
            a["href"]
            for a in soup.find_all("a", href=True)
            if "colab.research.google.com" in a["href"]
        }
        assert len(colab) == 1, (
            f"{page.name}: the theme's button and the notebook's badge differ: {colab}"
        )
        m = re.fullmatch(
            r"https://colab\.research\.google\.com/github/(.+?)/blob/([^/]+)/(.+\.ipynb)",
            colab.pop(),
        )
        assert m, page.name
        repo, branch, path = m.groups()
        assert repo == repo_path and branch == BRANCH
        assert path == f"notebooks/{page.stem}.ipynb", (
            f"{page.name}: Colab opens {path}"
        )
        assert path in tracked, (
            f"{path} is not tracked by git, so Colab could not open it"
        )
        downloads = [
            a["href"]
            for a in soup.find_all("a", href=True)
            if a["href"].endswith(f"{page.stem}.ipynb") and "_sources" in a["href"]
        ]
        assert downloads, f"{page.name}: no .ipynb download button"
        assert (page.parent / downloads[0]).resolve().is_file()


def test_runtime_badges(pages):
    for entry in toc_files():
        if entry.startswith("notebooks/"):
            badge = pages[HTML / f"{entry}.html"].select_one(".runtime-badge")
            assert badge is not None, f"{entry}: no runtime badge"
            assert re.search(r"runs in \d+ s", badge.text) and re.search(
                r"peak memory \d+ MiB", badge.text
            )


def test_absolute_links_to_the_book_resolve(pages):
    """Notebooks link to other pages by absolute site URL (so the links work in
    Colab): each names a built page."""
    broken = []
    for page, soup in pages.items():
        for a in soup.find_all("a", href=True):
            if a["href"].startswith(SITE_URL):
                parsed = urlparse(a["href"].removeprefix(SITE_URL))
                target = HTML / unquote(parsed.path)
                if not target.is_file():
                    broken.append(f"{page.relative_to(HTML)}: {a['href']}")
    assert not broken, "\n".join(broken[:40])


def test_figures_have_alt_text_on_the_site(pages):
    """Every figure of a notebook page reaches the reader's screen reader: its <img>
    carries the cell's alt text."""
    missing, count = [], 0
    for entry in toc_files():
        if not entry.startswith("notebooks/"):
            continue
        images = pages[HTML / f"{entry}.html"].select("div.cell_output img")
        count += len(images)
        missing += [
            f"{entry}: {img.get('src')}"
            for img in images
            if len(img.get("alt", "")) < 40
        ]
    assert count >= 80, f"only {count} figures found on the notebook pages"
    assert not missing, "figures without alt text:\n" + "\n".join(missing[:20])


def test_solutions_sit_behind_one_toggle(pages):
    """A solution's code and output are hidden together (hide-cell): the page shows
    one toggle per solution."""
    page = pages[HTML / "notebooks" / "04_building_the_cnn.html"]
    hidden = page.select("div.cell.tag_hide-cell")
    assert len(hidden) == 4, len(hidden)
    assert all("Solution to exercise" in cell.get_text() for cell in hidden)
    assert all(cell.select_one("details") is not None for cell in hidden), (
        "no toggle around the solution"
    )
