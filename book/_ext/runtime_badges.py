"""Sphinx extension: a badge at the top of every notebook page with its measured run time and peak memory.

The numbers come from the last measured execution: ``_build/runtimes.json`` (written while the tests re-execute the
notebooks) when it has the notebook, else the ``medimg.runtime`` metadata that ``make execute`` stores in the notebook.
Nothing here is typed by hand.

It also mends two script problems of the Jupyter Book 1 theme stack that show up as errors in the browser console:
sphinx-thebe's inline configuration script is registered twice (a "THEBE_JS_URL has already been declared" page
error), and pydata-sphinx-theme complains about an empty default colour mode.
"""
import json
from pathlib import Path

import nbformat


def _measurements(app) -> dict:
    measured = Path(app.srcdir) / "_build" / "runtimes.json"
    return json.loads(measured.read_text()) if measured.is_file() else {}


def _badge(app, pagename, templatename, context, doctree):
    if not pagename.startswith("notebooks/") or "body" not in context:
        return
    source = Path(app.srcdir) / f"{pagename}.ipynb"
    if not source.is_file():
        return
    runtime = _measurements(app).get(f"{pagename}.ipynb")
    if runtime is None:
        runtime = nbformat.read(source, as_version=4).metadata.get("medimg", {}).get("runtime")
    if not runtime:
        return
    html = (f'<div class="runtime-badge" role="note" aria-label="measured run time">'
            f'<span class="sd-badge sd-bg-info sd-text-white">runs in {runtime["wall_s"]:.0f} s</span> '
            f'<span class="sd-badge sd-bg-secondary sd-text-white">peak memory {runtime["peak_rss_mb"]:.0f} MiB</span> '
            f'<span class="runtime-where">measured on {runtime.get("machine", "a 2-core CPU")}</span></div>')
    context["body"] = html + context["body"]


def _mend_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "",  # an inline script has None or "" as its file name
               tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app):
    app.connect("html-page-context", _badge)
    app.connect("html-page-context", _mend_scripts, priority=900)  # after the handlers that add scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
