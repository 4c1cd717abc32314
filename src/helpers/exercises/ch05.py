"""Checkers of chapter 05's exercises (Training the CNN)."""

from __future__ import annotations

import numpy as np

from . import all_close, close, exercise, whole


@exercise("05.1")
def always_pneumonia_on_validation(answer, y_val):
    """(sensitivity, specificity) on ``y_val`` of always answering pneumonia."""
    from sklearn.metrics import recall_score

    sens, spec = (float(v) for v in answer)
    y = np.ravel(y_val)
    always = np.ones_like(y)
    if not close(sens, recall_score(y, always, pos_label=1), abs_tol=1e-3):
        return (
            "sensitivity is the share of pneumonia images called pneumonia: "
            "how many of them does 'always pneumonia' find?"
        )
    if not close(spec, recall_score(y, always, pos_label=0), abs_tol=1e-3):
        return (
            "specificity is the share of normal images called normal: "
            "how many does a model that never says 'normal' clear?"
        )
    return None


@exercise("05.2")
def balanced_class_weights(answer, y_train):
    """The weights N / (K N_c) of classes 0 and 1 in ``y_train``, as scikit-learn's."""
    from sklearn.utils.class_weight import compute_class_weight

    y = np.ravel(y_train)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    if isinstance(answer, dict):
        answer = [answer[0], answer[1]]
    if np.asarray(answer).shape != (2,):
        return "give one weight per class, normal (0) first: an array of two floats."
    if not all_close(answer, expected, rel=1e-3):
        return (
            "N is the number of training labels, K = 2 the number of classes "
            "and N_c the count of class c (np.bincount): the rarer class gets "
            "the larger weight."
        )
    return None


@exercise("05.3")
def batch_norm_parameters(answer):
    """(parameters batch normalisation adds, parameters it does not train)."""
    from ..models import article_cnn_variant

    added, not_trained = (whole(v) for v in answer)
    plain = article_cnn_variant()
    normalised = article_cnn_variant(batch_norm=True)
    trained = sum(int(np.prod(w.shape)) for w in normalised.trainable_weights)
    if added != normalised.count_params() - plain.count_params():
        return (
            "each BatchNormalization layer holds four vectors of one value per "
            "channel, and the convolution before it loses its bias: count both."
        )
    if not_trained != normalised.count_params() - trained:
        return (
            "gamma and beta are learnt by gradient descent; the running mean "
            "and variance are only averaged: count the latter."
        )
    return None


@exercise("05.4")
def learning_rate_by_log_loss(answer, runs):
    """(rate of lowest final validation log loss in ``runs``, True if AUC agrees)."""
    rate, agrees = answer
    by_loss = min(runs, key=lambda lr: runs[lr]["val_ce"])
    by_auc = max(runs, key=lambda lr: runs[lr]["val_auc"])
    if not close(rate, by_loss, rel=1e-6):
        return (
            "compare the 'val_ce' entry (validation log loss after the last "
            "epoch) of each run in lr_runs and take the rate of the smallest."
        )
    if not isinstance(agrees, (bool, np.bool_)):
        return "give the second element as True or False."
    if bool(agrees) != close(by_loss, by_auc, rel=1e-6):
        return "compare your rate with best_lr, the rate chosen by validation AUC."
    return None
