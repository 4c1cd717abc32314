"""Small tools for the book's pages: sentences with computed numbers, links to the site, a helper's source, memory."""
from __future__ import annotations

import inspect
import sys

from .home import SITE_URL  # the published site (_config.yml html.baseurl; make retarget). Links in notebooks are
# absolute, so they work in Colab and Jupyter as well as on the site.


def md(text: str) -> None:
    """Show ``text`` as Markdown below the cell (plain text outside IPython): prose with numbers a cell computed."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))


def page_url(page: str) -> str:
    """Absolute URL of a page of the site, e.g. ``page_url("book/data")`` or ``page_url("notebooks/05_training")``."""
    return SITE_URL + page.removesuffix(".ipynb").removesuffix(".md") + ".html"


def show_source(obj):
    """Display the source code of a helper function, highlighted, so the reader sees what it does."""
    from IPython.display import Code
    return Code(inspect.getsource(obj), language="python")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Unix and Windows)."""
    try:
        import resource
    except ImportError:  # Windows: psutil reports the peak working set
        import psutil
        return psutil.Process().memory_info().peak_wset / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024
