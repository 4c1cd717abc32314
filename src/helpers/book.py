"""Small tools for the book's pages: numbers for the prose (glue), showing a helper's source, memory use."""
from __future__ import annotations

import inspect
import resource
import sys


def glue(name: str, value, display: bool = False):
    """Store ``value`` under ``name`` so the prose can cite it ({glue:text}`name:.3f`); returns ``value``.

    Uses myst-nb's glue when it is installed (the book build); elsewhere (Colab) it is a harmless no-op.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return value
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # NumPy scalar: glue the plain Python number
        value = value.item()
    _glue(name, value, display=display)
    return value


def show_source(obj):
    """Display the source code of a helper function, highlighted, so the reader sees what it does."""
    from IPython.display import Code
    return Code(inspect.getsource(obj), language="python")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
