"""The nbval sanitiser (tests/nbval_sanitize.cfg) masks measured times, memory,
throughput and addresses, and nothing else.

The rules are read and applied exactly as nbval does: its own parser, then re.sub of
each rule in file order.
"""

import re

import pytest
from nbval.plugin import get_sanitize_patterns

from tests.book import ROOT

RULES = get_sanitize_patterns(
    (ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
)


def sanitise(text: str) -> str:
    for regex, replace in RULES:  # nbval keeps them in an OrderedDict in file order
        text = re.sub(regex, replace, text)
    return text


def test_rules_are_read_and_stay_on_one_line():
    assert [replace for _, replace in RULES] == ["<TIME>", "<MEM>", "<RATE>", "<ADDR>"]
    for regex, _ in RULES:
        assert "\\s" not in regex and "\\n" not in regex, f"{regex} can cross a newline"


@pytest.mark.parametrize(
    "real",
    [  # stored outputs of chapters 01, 02, 08 and 10: results, never masked
        "0)   0.00 to 1.00   0.15    0.5                   0.35\nmin-max           "
        "0.00 to 1.00",
        "0.35 min-max",
        "0.5-99.5 %       0.325     0.638     0.904     0.963\nmin-max          0.412",
        "crop 0.963\ns-shaped border",
        "crop 0.963\nms per call below",
        "10 R-peaks in 10 s\nRR interval 982.7 ms (range 954-1001 ms), heart rate "
        "61.1 bpm",
        "R-peaks minus the recorder's fiducial points: -2 to 0 ms",
        "rhythm strip: 10000 samples x 12 leads, 10.0 s",
        "A: limb leads, 6-10 s      24  24",
        "(36, 512, 512) (slices, rows, columns), float32, 36 MiB",
        "0x12 is not an address",
    ],
)
def test_real_results_keep_their_numbers(real):
    assert sanitise(real) == real


@pytest.mark.parametrize(
    "measured, masked",
    [
        ("trained in ~6.1 s\n", "trained in <TIME>\n"),
        ("training ~60.4 s (CPU time ~59.9 s)", "training <TIME> (CPU time <TIME>)"),
        (
            "loops: ~2.26 ms, vectorised: ~0.025 ms on one image",
            "loops: <TIME>, vectorised: <TIME> on one image",
        ),
        (
            "~3 min for the long run; ~45 ms/step",
            "<TIME> for the long run; <TIME>/step",
        ),
        (
            "batch   1: ~0.60 ms per call, ~1670 images/s",
            "batch   1: <TIME> per call, <RATE>",
        ),
        ("naive loop: 82 images/s (64 images)", "naive loop: <RATE> (64 images)"),
        ("peak memory ~512 MiB, model ~1.4 MB", "peak memory <MEM>, model <MEM>"),
        ("<Figure at 0x7f3a2b4c5d60>", "<Figure at <ADDR>>"),
    ],
)
def test_measured_values_are_masked(measured, masked):
    assert sanitise(measured) == masked


def test_a_marker_never_reaches_across_a_line():
    assert sanitise("~12\ns-shaped") == "~12\ns-shaped"
    assert sanitise("~12 min-max") == "~12 min-max"
