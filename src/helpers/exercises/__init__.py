"""Check a reader's answer to an exercise: ``helpers.exercises.check("04.1", answer)``.

Each "Your turn" cell of a chapter ends with one ``check`` call. The checker of exercise
``"NN.k"`` lives in the module ``chNN`` of this package, registered with
``@exercise("NN.k")``. It receives the reader's answer and whatever the cell passes as
keyword arguments (the chapter's arrays or models, so nothing is loaded twice) and
returns ``None`` when the answer is right, or a hint: one sentence that says where to
look, never the answer itself.

``check`` prints one line and never raises for a missing or wrong answer, so "Run all"
goes on:

- the answer is ``...`` (the placeholder the cell starts with) or ``None``: "not
  answered yet";
- the checker returns ``None``: "right";
- the checker returns a hint, or cannot handle the answer (it raises): "not yet", with
  the hint.

It returns ``True``, ``False`` or ``None`` (not answered), so a solution cell can
``assert check(...)``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable

CHECKERS: dict[str, Callable] = {}


def exercise(key: str):
    """Register the decorated function as the checker of exercise ``key`` ("NN.k")."""

    def register(function):
        if key in CHECKERS:
            raise ValueError(f"exercise {key} has two checkers")
        CHECKERS[key] = function
        return function

    return register


def checker(key: str) -> Callable:
    """The checker of exercise ``key``, importing its chapter's module on first use."""
    chapter, _, number = key.partition(".")
    if not (len(chapter) == 2 and chapter.isdigit() and number.isdigit()):
        raise ValueError(f"an exercise is named 'NN.k' (chapter, number), not {key!r}")
    if key not in CHECKERS:
        try:
            importlib.import_module(f"{__name__}.ch{chapter}")
        except ModuleNotFoundError:
            pass
    if key not in CHECKERS:
        raise KeyError(f"no checker for exercise {key}")
    return CHECKERS[key]


def check(key: str, answer=..., **context) -> bool | None:
    """Check the reader's ``answer`` to exercise ``key`` and print one line.

    Returns True (right), False (not yet, with a hint) or None (not answered).
    """
    function = checker(key)
    if answer is ... or answer is None:
        print(f"Exercise {key}: not answered yet: replace the ... with your answer.")
        return None
    try:
        hint = function(answer, **context)
    except Exception as err:  # an answer of an unexpected type or shape: a hint
        hint = (
            f"your answer could not be checked ({type(err).__name__}: {err}); "
            "look at what the exercise asks for."
        )
    if hint is None:
        print(f"Exercise {key}: right.")
        return True
    if _right_as_fractions(function, answer, context):
        hint = "that looks like per cent: give shares and rates as fractions (0 to 1)."
    print(f"Exercise {key}: not yet. Hint: {hint}")
    return False


def _right_as_fractions(function, answer, context) -> bool:
    """True when the answer is right with its values in (1, 100] divided by 100."""

    def fraction(x):
        return x / 100 if isinstance(x, (int, float)) and 1 < x <= 100 else x

    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        scaled = fraction(answer)
    elif isinstance(answer, (tuple, list)):
        scaled = type(answer)(fraction(x) for x in answer)
    else:
        return False
    if scaled == answer:
        return False
    try:
        return function(scaled, **context) is None
    except Exception:
        return False


# Small tools for the checkers -----------------------------------------------------


def whole(answer) -> int:
    """``answer`` as an int, refusing a fractional part (42.7 is not 42)."""
    value = float(answer)
    if value != round(value):
        raise ValueError(f"{answer} is not a whole number")
    return int(round(value))


def close(answer, expected, rel: float = 1e-6, abs_tol: float = 0.0) -> bool:
    """True when ``answer`` is within ``rel`` or ``abs_tol`` of ``expected``."""
    return math.isclose(float(answer), float(expected), rel_tol=rel, abs_tol=abs_tol)


def all_close(answer, expected, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """True when ``answer`` has ``expected``'s shape and values within tolerance."""
    import numpy as np

    answer = np.asarray(answer, dtype=float)
    expected = np.asarray(expected, dtype=float)
    return answer.shape == expected.shape and bool(
        np.allclose(answer, expected, rtol=rel, atol=abs_tol)
    )
