"""Drive Debian's headless Chromium over every page of the built site, served on
127.0.0.1.

No console errors, no failed requests, images rendered, Colab and download buttons
present, the built-in search finds "Hounsfield" and "Grad-CAM". Screenshots go to
test-output/ (landing page and one notebook page)."""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.book import ROOT, load, source, toc_files

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.site
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


BADGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20"><rect width="117" '
    'height="20"/></svg>'
)


@pytest.fixture(scope="module")
def site():
    assert (HTML / "index.html").is_file(), "build the site first: make book"
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(HTML)
    )
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed (make test installs it with apt as root)"
            )
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def visit(browser, url):
    """Open url; return (page, problems) where problems lists console errors and
    failed requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # the notebooks' "Open in Colab" badge is Colab's own image; offline, stand a small
    # SVG in for it
    page.route(
        "https://colab.research.google.com/assets/colab-badge.svg",
        lambda route: route.fulfill(content_type="image/svg+xml", body=BADGE),
    )
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "requestfailed",
        lambda r: problems.append(f"request failed: {r.url} {r.failure}"),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
        ),
    )
    page.goto(url, wait_until="networkidle")
    return page, problems


def test_every_page_loads_cleanly(site, browser):
    SHOTS.mkdir(exist_ok=True)
    report = []
    for entry in toc_files():
        page, problems = visit(browser, f"{site}/{entry}.html")
        broken_images = page.evaluate(
            "Array.from(document.images).filter(i => i.complete && i.naturalWidth "
            "=== 0).map(i => i.src)"
        )
        problems += [f"broken image {src}" for src in broken_images]
        if entry.startswith("notebooks/"):
            assert page.locator("a[href*='colab.research.google.com']").count() >= 2, (
                f"{entry}: Colab button, badge"
            )
            assert page.locator(f"a[href$='{Path(entry).name}.ipynb']").count() >= 1, (
                f"{entry}: download button"
            )
            assert page.locator(".runtime-badge").count() == 1, (
                f"{entry}: runtime badge"
            )
        if entry == toc_files()[0]:
            page.screenshot(path=str(SHOTS / "landing.png"), full_page=False)
        if entry == "notebooks/01_medical_images":
            page.screenshot(path=str(SHOTS / "notebook_01.png"), full_page=False)
            figures = page.locator("img").evaluate_all(
                "els => els.filter(e => e.naturalWidth > 200).length"
            )
            assert figures >= 3, "notebook figures did not render"
        page.close()
        report += [f"{entry}: {p}" for p in problems]
    assert not report, "\n".join(report[:40])


@pytest.mark.parametrize("term", ["Hounsfield", "Grad-CAM"])
def test_search_finds(site, browser, term):
    page, problems = visit(browser, f"{site}/search.html?q={term}")
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    hits = page.locator("#search-results ul.search li").count()
    assert hits >= 1, f"search for {term} found nothing"
    if term == "Hounsfield":
        page.screenshot(path=str(SHOTS / "search_hounsfield.png"))
    assert not problems, problems


def test_computed_sentence_and_hidden_solution(site, browser):
    """A sentence a cell displays (helpers.book.md) shows on the site with its
    number, the your-turn cell shows its check, and a solution (code and output
    together) stays behind its toggle until the reader opens it."""
    path = ROOT / "notebooks" / "07_case_tumour.ipynb"
    cells = load(path)["cells"]
    sentences = [
        "".join(o["data"]["text/markdown"])
        for c in cells
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    ]
    numbered = [s for s in sentences if any(ch.isdigit() for ch in s)]
    assert numbered, "chapter 07 displays no computed sentence"
    page, problems = visit(browser, f"{site}/notebooks/{path.stem}.html")
    words = [w.strip("*_`.,;:()") for w in numbered[0].split()]
    number = next(w for w in words if any(ch.isdigit() for ch in w))
    assert number in page.inner_text("main"), (
        f"the computed number {number} is not on the page"
    )
    assert "Exercise 07.1: not answered yet:" in page.inner_text("main"), (
        "the your-turn check is not shown"
    )
    solution = next(
        c for c in cells if source(c).startswith("# @title Solution to exercise 1")
    )
    first_line = source(solution).splitlines()[1].strip()
    code = page.locator(".tag_hide-cell .cell_input", has_text=first_line)
    assert code.count() == 1 and not code.first.is_visible(), (
        "solution 1 is visible before it is opened"
    )
    page.locator(".tag_hide-cell summary").first.click()
    assert code.first.is_visible(), "opening the solution does not show its code"
    assert not problems, problems
