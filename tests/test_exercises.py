"""helpers.exercises: every exercise of the book has a checker, and check() answers a
reader in one line without ever stopping "Run all"."""

import ast
import re

import pytest

from helpers import exercises
from tests.book import ROOT, load, notebooks, source

CALL = re.compile(r'helpers\.exercises\.check\(\s*"(\d\d\.\d+)"')


def keys_in_notebooks() -> set[str]:
    return {
        m.group(1)
        for p in notebooks()
        for c in load(p)["cells"]
        if c["cell_type"] == "code"
        for m in CALL.finditer(source(c))
    }


def all_checkers() -> dict:
    for path in sorted((ROOT / "src" / "helpers" / "exercises").glob("ch*.py")):
        exercises.checker(f"{path.stem[2:]}.1")  # imports the chapter's module
    return dict(exercises.CHECKERS)


def test_every_exercise_has_a_checker_and_every_checker_an_exercise():
    used, registered = keys_in_notebooks(), set(all_checkers())
    assert len(used) >= 60, sorted(used)
    assert used == registered, (
        f"without checker: {sorted(used - registered)}; unused: "
        f"{sorted(registered - used)}"
    )


@pytest.mark.parametrize("key", sorted(keys_in_notebooks()))
def test_a_blank_answer_says_so_and_does_not_raise(key, capsys):
    assert exercises.check(key, ...) is None
    assert exercises.check(key, None) is None
    out = capsys.readouterr().out.splitlines()
    assert (
        out
        == [f"Exercise {key}: not answered yet: replace the ... with your answer."] * 2
    )


@pytest.mark.parametrize("key", sorted(keys_in_notebooks()))
def test_a_wrong_answer_gets_a_hint_never_a_traceback(key, capsys):
    assert exercises.check(key, object()) is False
    out = capsys.readouterr().out
    assert out.startswith(f"Exercise {key}: not yet. Hint: ") and out.count("\n") == 1


def test_a_checker_says_right_or_gives_its_hint(capsys):
    assert (
        exercises.check("04.2", 18) is True
    )  # r = 1 + 2 + 1 + 4 + 2 * 4 after conv-pool-conv-pool-conv
    assert exercises.check("04.2", 10) is False
    right, wrong = capsys.readouterr().out.splitlines()
    assert right == "Exercise 04.2: right."
    assert wrong.startswith("Exercise 04.2: not yet. Hint: use r = r_prev")
    assert "18" not in wrong, "a hint never gives the answer away"


def test_constant_score_checker_computes_its_expected_values():
    y = [0, 1, 1, 1]
    assert exercises.check("04.3", (0.5, 0.75), y_test=y) is True
    assert (
        exercises.check("04.3", (0.5, 0.25), y_test=y) is False
    )  # the normal share, not the pneumonia share
    assert exercises.check("04.3", (0.6, 0.75), y_test=y) is False


def test_bad_keys_are_refused_clearly():
    with pytest.raises(ValueError, match="NN.k"):
        exercises.check("4.1", 1)
    with pytest.raises(KeyError, match="no checker for exercise 04.9"):
        exercises.check("04.9", 1)


def test_duplicate_registration_is_refused():
    with pytest.raises(ValueError, match="two checkers"):
        exercises.exercise("04.1")(lambda answer: None)


def test_checker_modules_are_cheap_to_import_and_fit_88_columns():
    for path in sorted((ROOT / "src" / "helpers" / "exercises").glob("*.py")):
        text = path.read_text()
        assert max(len(line) for line in text.splitlines()) <= 88, path.name
        top_level = [
            n
            for n in ast.parse(text).body
            if isinstance(n, (ast.Import, ast.ImportFrom))
        ]
        for node in top_level:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            assert not any(n.split(".")[0] in {"tensorflow", "keras"} for n in names), (
                f"{path.name} imports TensorFlow at import time"
            )


def test_per_cent_gets_its_own_hint(capsys):
    y = [0, 1, 1, 1]
    assert exercises.check("04.3", (50, 75), y_test=y) is False
    assert "per cent" in capsys.readouterr().out


def test_a_fraction_is_not_taken_for_a_whole_number():
    assert exercises.check("04.2", 18.0) is True
    assert exercises.check("04.2", 18.4) is False
    with pytest.raises(ValueError, match="not a whole number"):
        exercises.whole(42.7)
