"""ruff: the helpers, scripts, tests and the notebooks' code cells lint clean and are
formatted (88 columns; the settings are pyproject.toml's [tool.ruff]). `make lint`
fixes what it can."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.book import ROOT

RUFF = Path(sys.executable).with_name("ruff")
PATHS = ["src", "scripts", "tests", "notebooks"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    if not RUFF.is_file():
        pytest.fail("ruff is not installed (requirements.txt pins it)")
    return subprocess.run(
        [str(RUFF), *args, *PATHS], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_lint_is_clean():
    result = _ruff("check", "--no-cache", "--output-format", "concise")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_format_leaves_nothing_to_change():
    result = _ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_lint_settings_keep_88_columns():
    import tomllib

    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    assert ruff["line-length"] == 88 and "*.ipynb" in ruff["extend-include"]
    assert "E501" not in ruff["lint"].get("ignore", [])
