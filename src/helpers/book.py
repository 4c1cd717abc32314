"""Small tools for the book's pages: sentences with computed numbers, a helper's
source, peak memory."""

from __future__ import annotations

import inspect
import sys


def md(text: str) -> None:
    """Show ``text`` as Markdown below the cell (plain text outside IPython): prose
    with numbers a cell computed."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))


def show_source(obj):
    """Display the source code of a helper function, highlighted, so the reader sees
    what it does."""
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
