"""Drive Debian's headless Chromium over every page of the built site, served on 127.0.0.1.

No console errors, no failed requests, images rendered, Colab and download buttons present, the built-in search finds
"Hounsfield" and "Grad-CAM". Screenshots go to test-output/ (landing page and one notebook page)."""
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.book import ROOT, toc_files

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "test-output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.site
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def site():
    assert (HTML / "index.html").is_file(), "build the site first: make book"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (make test installs it with apt as root)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def visit(browser, url):
    """Open url; return (page, problems) where problems lists console errors and failed requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, problems


def test_every_page_loads_cleanly(site, browser):
    SHOTS.mkdir(exist_ok=True)
    report = []
    for entry in toc_files():
        page, problems = visit(browser, f"{site}/{entry}.html")
        broken_images = page.evaluate(
            "Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
        problems += [f"broken image {src}" for src in broken_images]
        if entry.startswith("notebooks/"):
            assert page.locator("a[href*='colab.research.google.com']").count() == 1, f"{entry}: Colab button"
            assert page.locator(f"a[href$='{Path(entry).name}.ipynb']").count() >= 1, f"{entry}: download button"
            assert page.locator(".runtime-badge").count() == 1, f"{entry}: runtime badge"
        if entry == toc_files()[0]:
            page.screenshot(path=str(SHOTS / "landing.png"), full_page=False)
        if entry == "notebooks/01_medical_images":
            page.screenshot(path=str(SHOTS / "notebook_01.png"), full_page=False)
            figures = page.locator("img").evaluate_all("els => els.filter(e => e.naturalWidth > 200).length")
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
