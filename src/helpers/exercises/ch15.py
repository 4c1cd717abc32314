"""Checkers of chapter 15's exercises (Privacy and security: de-identification,
federated learning, adversarial examples).

No checker prints or returns a header value: hints name attributes and functions.
"""

from __future__ import annotations

import numpy as np

from . import close, exercise, whole


@exercise("15.1")
def series_after_random_uids(answer, headers):
    """How many series a viewer shows after one ``generate_uid()`` per header.

    Recomputed by drawing the colleague's random SeriesInstanceUID for every one of
    ``headers`` and counting the distinct values (never shown).
    """
    import pydicom

    expected = len({str(pydicom.uid.generate_uid()) for _ in headers})
    before = len({str(h.SeriesInstanceUID) for h in headers})
    if whole(answer) == before and before != expected:
        return (
            "that is the number of series before, or after a consistent "
            "remapping; call pydicom.uid.generate_uid() once per header and "
            "count the distinct values it returns."
        )
    if whole(answer) != expected:
        return (
            "call pydicom.uid.generate_uid() once for each original header and "
            "count the distinct values: one series per SeriesInstanceUID."
        )
    return None


def _mean_pneumonia(model, images):
    """Mean P(pneumonia) (column 1) of ``model`` on ``images``."""
    import keras

    probs = keras.ops.convert_to_numpy(model(images, training=False))
    return float(probs[:, 1].mean())


@exercise("15.2")
def sites_by_mean_probability(answer, models, images):
    """(site with the highest, with the lowest mean P(pneumonia) on ``images``).

    ``models`` maps each site's name to the model trained on that site alone.
    """
    highest, lowest = (str(name).strip().lower() for name in answer)
    mean_p = {name.lower(): _mean_pneumonia(m, images) for name, m in models.items()}
    if highest not in mean_p or lowest not in mean_p:
        return f"name the sites as local_models does: {', '.join(sorted(mean_p))}."
    top, bottom = max(mean_p, key=mean_p.get), min(mean_p, key=mean_p.get)
    if (highest, lowest) == (bottom, top):
        return "the order is (highest, lowest): you gave them the other way round."
    if (highest, lowest) != (top, bottom):
        return (
            "average column 1 of each local model's predictions on x_test, then "
            "compare the sites' means with their own pneumonia shares."
        )
    return None


@exercise("15.3")
def fgsm_max_norm(answer, adversarial, images):
    """(largest change in grey levels, smallest pixel, largest pixel) after FGSM."""
    largest, smallest, biggest = (float(v) for v in answer)
    adversarial, images = np.asarray(adversarial), np.asarray(images)
    change = float(np.abs(adversarial - images).max())
    if close(largest, change, abs_tol=1e-6) and change > 1e-9:
        return "give the largest change in grey levels: multiply by 255."
    if not close(largest, 255 * change, abs_tol=1e-3):
        return (
            "take the largest absolute difference between "
            "adversarial_sets[2 / 255] and x_test over all pixels, times 255."
        )
    if not (
        close(smallest, adversarial.min(), abs_tol=1e-6)
        and close(biggest, adversarial.max(), abs_tol=1e-6)
    ):
        return "give the smallest and largest pixel value of the adversarial images."
    return None
