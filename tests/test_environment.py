"""The pinned environment: requirements.txt, environment.yml, pyproject and _config
agree."""

import re
from pathlib import Path

import yaml

import helpers

ROOT = Path(__file__).resolve().parents[1]


def pins(lines):
    return {
        m.group(1).lower(): m.group(2)
        for m in (re.match(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s#]+)", x) for x in lines)
        if m
    }


def test_requirements_are_all_pinned():
    lines = [
        line
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines and all("==" in line for line in lines)
    assert "tensorflow-cpu" in pins(lines) and "jupyter-book" in pins(lines)
    assert pins(lines)["jupyter-book"].startswith("1.")


def test_environment_yml_agrees_with_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_pins = pins(pip_section)
    req_pins = pins((ROOT / "requirements.txt").read_text().splitlines())
    assert env_pins, "environment.yml pins nothing"
    for name, version in env_pins.items():
        assert req_pins.get(name) == version, (
            f"{name}: environment.yml {version}, requirements.txt {req_pins.get(name)}"
        )
    direct = (
        (ROOT / "requirements.txt").read_text().split("# Everything they pull in")[0]
    )
    assert set(pins(direct.splitlines())) == set(env_pins)
    assert "-r requirements.txt" in pip_section and "-e ." in pip_section
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_pyproject_dependencies_are_pinned_in_requirements():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    req_pins = pins((ROOT / "requirements.txt").read_text().splitlines())
    for dep in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.\-]+", dep).group(0).lower()
        assert name in req_pins, (
            f"{name} is a helpers dependency but not pinned in requirements.txt"
        )
    assert project["urls"]["Repository"] == helpers.REPOSITORY


def test_repository_is_named_once_consistently():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == helpers.REPOSITORY
    assert config["repository"]["branch"] == helpers.BRANCH
    assert config["execute"]["execute_notebooks"] == "off"
    from helpers import home

    assert config["html"]["baseurl"] == home.SITE_URL, (
        "the site URL is set once, in _config.yml"
    )
    readme = (ROOT / "README.md").read_text()
    assert f"{helpers.REPOSITORY.removeprefix('https://')}@{helpers.BRANCH}" in readme


def test_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "make book" in first_block and "make test" in first_block
    assert "make test" in (ROOT / ".ci" / "run").read_text()
