"""A cell that shows a helper's source must show the helper as it is now (nbval would
fail on it in CI)."""

import importlib.util

import pytest

from tests.book import NOT_YET_VALIDATED, ROOT, load, notebooks

spec = importlib.util.spec_from_file_location(
    "refresh_sources", ROOT / "scripts" / "refresh_sources.py"
)
refresh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh)


@pytest.mark.parametrize(
    "path",
    [p for p in notebooks() if p.stem not in NOT_YET_VALIDATED],
    ids=lambda p: p.stem,
)
def test_shown_sources_are_current(path):
    stale = [
        refresh.CALL.match("".join(cell["source"]).strip().splitlines()[-1]).group(1)
        for cell, fresh in refresh.shown_sources(load(path))
        if refresh.is_stale(cell, fresh)
    ]
    assert not stale, (
        f"stale shown source of {stale}: run `python scripts/refresh_sources.py --fix`"
    )


def test_a_changed_helper_is_caught():
    notebook = load(ROOT / "notebooks" / "06_evaluation.ipynb")
    cell, fresh = next(refresh.shown_sources(notebook))
    assert not refresh.is_stale(cell, fresh)
    cell["outputs"][0]["data"]["text/plain"] = ["def an_older_version():\n", "    pass"]
    assert refresh.is_stale(cell, fresh)
