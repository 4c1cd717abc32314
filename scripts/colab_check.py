"""Prove that the notebooks' install cell changes nothing that Google Colab ships.

Builds the install cell's requirement (``medimg-helpers @ git+<this clone>@<branch>``,
the remote URL replaced by this clone) and resolves its dependencies with pip's
resolver, for Colab's Python, with Colab's published package list as constraints
(``tests/colab/pip-freeze.txt``), in a dry run. Fails when the resolution is impossible,
when it would install a package Colab ships at another version, or when it would add a
package that is not on the list of what the book's install cell is allowed to add. Needs
the package index (as `make test`'s install step does), not Colab.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.book import REPO_URL, colab_pins, head_commit  # noqa: E402

COLAB_PYTHON = "3.13"  # Colab's runtime (tests/colab/README.md)
ADDED = {
    "medimg-helpers",
    "pydicom",
    "pydicom-data",
    "highdicom",
    "pyjpegls",
}  # what the install cell may add


def main() -> int:
    colab = colab_pins()
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp, "colab.txt")
        constraints.write_text(
            "".join(f"{name}=={version}\n" for name, version in colab.items())
        )
        report = Path(tmp, "report.json")
        # the install cell, with this clone for the repository and its checked-out
        # commit for the release tag (a
        # clone need not hold the tag; tests/test_published.py installs through the tag
        # itself)
        spec = f"medimg-helpers @ git+file://{ROOT}@{head_commit()}"
        # build the package from git as the install cell does; pip resolves for another
        # Python only from wheels
        built = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--quiet",
                "--disable-pip-version-check",
                "-w",
                tmp,
                spec,
            ],
            capture_output=True,
            text=True,
        )
        if built.returncode != 0:
            print(
                "FAILED: the install cell's package does not build from "
                f"git:\n{built.stderr[-3000:]}"
            )
            return 1
        wheel = next(Path(tmp).glob("medimg_helpers-*.whl"))
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--disable-pip-version-check",
            "--python-version",
            COLAB_PYTHON,
            "--only-binary=:all:",
            "-c",
            str(constraints),
            "--report",
            str(report),
            str(wheel),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            print(
                "FAILED: the install cell cannot be resolved against Colab's "
                f"packages:\n{result.stderr[-3000:]}"
            )
            return 1
        installs = {
            re.sub(r"[-_.]+", "-", i["metadata"]["name"]).lower(): i["metadata"][
                "version"
            ]
            for i in json.loads(report.read_text())["install"]
        }
    changed = {
        n: (colab[n], v) for n, v in installs.items() if n in colab and colab[n] != v
    }
    unexpected = sorted(n for n in installs if n not in colab and n not in ADDED)
    kept = sorted(n for n in installs if n in colab)
    print(
        f"install cell ({REPO_URL} replaced by this clone) resolved for Python "
        f"{COLAB_PYTHON} "
        f"against {len(colab)} Colab packages:"
    )
    print(f"  kept at Colab's version: {len(kept)} ({', '.join(kept)})")
    print(
        "  added: "
        f"{', '.join(f'{n} {installs[n]}' for n in sorted(set(installs) - set(colab)))}"
    )
    problems = [
        f"{n}: Colab ships {old}, the install cell would install {new}"
        for n, (old, new) in changed.items()
    ]
    problems += [f"{n}: not on Colab and not an expected addition" for n in unexpected]
    for problem in problems:
        print(f"FAILED: {problem}")
    print(f"{len(installs) - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
