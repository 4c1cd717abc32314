"""Checkers of chapter 17's exercises (Segmentation: a U-Net on simulated low-dose
CT)."""

from __future__ import annotations

import numpy as np

from . import exercise

DOSES = (1e5, 2.5e4)  # the training dose and a quarter of it


@exercise("17.1")
def dice_under_dose_shift(answer, model, channels):
    """(mean lesion Dice at I0 = 1e5, at 2.5e4) on 60 new phantoms, cut at 0.5.

    The phantoms are ``phantoms.phantom_dataset(60, seed=1717, ...)`` (cached within
    the run); ``channels`` is the chapter's ``ct_channels``, ``model`` the trained
    U-Net, whose output channel 2 is the lesion.
    """
    from .. import phantoms
    from .. import segmentation as seg

    values = np.asarray(answer, dtype=float).ravel()
    if values.size != len(DOSES):
        return "give two mean Dice values: at I0 = 1e5 first, then at 2.5e4."
    shift = phantoms.phantom_dataset(60, seed=1717, photons=DOSES)
    truth = shift["lesions"] > 0
    expected = []
    for dose in DOSES:
        prob = model.predict(channels(shift[f"fbp_{dose:g}"]), verbose=0)[..., 2]
        expected.append(seg.per_image(seg.dice, prob > 0.5, truth).mean())
    if np.allclose(values, expected, rtol=0, atol=1e-3):
        return None
    if np.allclose(values, expected[::-1], rtol=0, atol=1e-3):
        return "the order is (I0 = 1e5, I0 = 2.5e4): you gave them the other way round."
    return (
        "simulate phantoms.phantom_dataset(60, seed=1717, photons=(1e5, "
        "2.5e4)), feed each dose's fbp_ images through ct_channels and the "
        "U-Net, cut channel 2 at 0.5 and average seg.dice per image against "
        "lesions > 0."
    )


@exercise("17.2")
def validation_cut(answer, model, x_val, truth_val):
    """A cut of the lesion probability in [0.1, 0.9] with the best validation Dice.

    Right when the mean lesion Dice on the validation phantoms at the reader's cut
    is at least the best over the cuts 0.1, 0.2, ..., 0.9 (a finer search is fine).
    """
    from .. import segmentation as seg

    cut = float(answer)
    if not 0.1 - 1e-9 <= cut <= 0.9 + 1e-9:
        return "choose a cut between 0.1 and 0.9."
    prob = model.predict(x_val, verbose=0)[..., 2]

    def mean_dice(c):
        return float(seg.per_image(seg.dice, prob > c, truth_val).mean())

    best = max(mean_dice(c) for c in np.round(np.arange(0.1, 0.91, 0.1), 1))
    if mean_dice(cut) < best - 1e-3:
        return (
            "another cut gives a higher mean lesion Dice on the validation "
            "phantoms: compute it for each cut from 0.1 to 0.9 on x_val against "
            "truth_val."
        )
    return None
