"""Checkers of chapter 00's exercises (Set up)."""

from __future__ import annotations

import numpy as np

from . import close, exercise


@exercise("00.1")
def non_commercial_subset(answer):
    """The registry name of the MedMNIST subset whose licence forbids commercial use."""
    from ..data import REGISTRY

    expected = {
        name
        for name, entry in REGISTRY.items()
        if entry.get("kind") == "medmnist" and "NC" in entry.get("licence", "")
    }
    given = [answer] if isinstance(answer, str) else list(answer)
    if {str(name).strip().lower() for name in given} != expected:
        return (
            "read the licence column of `registry` (not the shorter table of the "
            "subsets the book trains on) for a non-commercial (NC) clause."
        )
    return None


@exercise("00.2")
def always_benign(answer, test_labels):
    """(malignant test cases, accuracy of always saying 'normal or benign')."""
    n_malignant, accuracy = answer
    labels = np.ravel(test_labels)
    if int(n_malignant) != int(np.sum(labels == 0)):
        return (
            "in BreastMNIST label 0 means malignant: count the zeros of the test "
            "labels, not of the training labels."
        )
    if not close(accuracy, np.mean(labels == 1), abs_tol=1e-3):
        return (
            "always answering 'normal or benign' (label 1) is right exactly on the "
            "test cases that are not malignant: divide by all test cases."
        )
    return None
