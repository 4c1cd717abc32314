"""The 2D case studies' CNN and their protocol (chapters 07 and 08, reused later):
build, select, run seeds.

``case_cnn`` builds a small batch-normalised CNN with optional on-the-fly augmentation
(``augmenter``); ``select_recipe`` chooses a recipe on validation; ``run_seeds`` trains
it (``training.fit``) and the article's CNN once per seed and scores both on the test
split once. Importing this module imports TensorFlow.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers
from sklearn.metrics import roc_auc_score

from .data import to_float
from .leakage import clean_test_mask, clean_validation_mask
from .metrics import medmnist_auc_acc
from .training import fit, predict_tta, train_article_cnn


def augmenter(
    flip: str | None = "horizontal",
    translate: float = 0.1,
    rotate: float = 0.05,
    zoom: float = 0.1,
    contrast: float = 0.1,
    seed: int | None = None,
) -> keras.Sequential:
    """Random flips, shifts, rotations (fraction of a turn), zooms and contrast
    changes; active only in training."""
    steps = [layers.RandomFlip(flip, seed=seed)] if flip else []
    if translate:
        steps.append(
            layers.RandomTranslation(
                translate, translate, fill_mode="reflect", seed=seed
            )
        )
    if rotate:
        steps.append(layers.RandomRotation(rotate, fill_mode="reflect", seed=seed))
    if zoom:
        steps.append(layers.RandomZoom(zoom, fill_mode="reflect", seed=seed))
    if contrast:
        steps.append(layers.RandomContrast(contrast, seed=seed))
    return keras.Sequential(steps, name="augment")


def case_cnn(
    input_shape=(28, 28, 1),
    n_classes: int = 2,
    filters=(32, 64, 128),
    convs_per_stage: int = 2,
    dropout: float = 0.3,
    augment: keras.Layer | None = None,
    name: str = "case_cnn",
) -> keras.Model:
    """A small CNN for 28x28 MedMNIST images: (augment ->) per stage ``convs_per_stage``
    x [Conv 3x3 -> BN -> ReLU] then 2x2 max-pooling; global average pooling -> dropout
    -> Dense softmax over ``n_classes``.

    Inputs are float32 in [0, 1] with a channel axis (``data.to_float``). Not compiled;
    ``training.fit`` compiles it. ``augment`` (e.g. ``augmenter()``) runs only while
    training.
    """
    inputs = keras.Input(shape=input_shape, name="image")
    x = augment(inputs) if augment is not None else inputs
    for stage, n in enumerate(filters):
        for _ in range(convs_per_stage):
            x = layers.Conv2D(n, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(
                x
            )  # fast-moving statistics: few steps per epoch
            x = layers.ReLU()(x)
        if stage < len(filters) - 1:
            x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def train_members(
    build, dataset: dict, seed: int, members: int = 1, train_kwargs: dict | None = None
) -> list:
    """Train ``members`` models from ``build()`` with ``training.fit``; member k uses
    seed ``1000 * seed + k``. Returns one ``training.Fit`` per member."""
    trained = []
    for k in range(members):
        keras.utils.set_random_seed(1000 * seed + k)
        trained.append(
            fit(build(), dataset, seed=1000 * seed + k, **(train_kwargs or {}))
        )
    return trained


def build_recipe(
    recipe: dict, input_shape=(28, 28, 1), n_classes: int = 2
) -> keras.Model:
    """``case_cnn`` as a recipe says: ``recipe["build"]`` (case_cnn's arguments) and
    ``recipe["augment"]`` (augmenter's arguments, or None for no augmentation)."""
    augment = augmenter(**recipe["augment"]) if recipe.get("augment") else None
    return case_cnn(
        input_shape=input_shape, n_classes=n_classes, augment=augment, **recipe["build"]
    )


def validation_scores(dataset: dict, recipe: dict, seed: int, clean=None) -> dict:
    """Train ``recipe`` with ``seed`` and score it on the validation split only:
    {val_auc, val_acc, val_auc_all}.

    ``val_auc`` and ``val_acc`` count the validation images with no near-copy in
    training (``clean``, by default ``leakage.clean_validation_mask(dataset)``);
    ``val_auc_all`` counts every validation image.

    A recipe holds ``build`` and ``augment`` (see ``build_recipe``), ``train``
    (``training.fit``'s arguments), ``tta`` (flips for predict_tta) and ``members``
    (ensemble size; member k uses seed ``1000 * seed + k``, as ``run_seeds`` does). This
    is the selection step of chapters 07 and 08 (``helpers.selection``); pass the
    dataset through ``selection.without_test``.
    """
    x_val, y_val = to_float(dataset["val_images"]), dataset["val_labels"].ravel()
    n_classes = len(dataset.get("label_names", (0, 1)))
    trained = train_members(
        lambda: build_recipe(recipe, x_val.shape[1:], n_classes),
        dataset,
        seed,
        recipe.get("members", 1),
        recipe["train"],
    )
    probs = predict_tta([t.model for t in trained], x_val, recipe.get("tta", ()))
    task = dataset.get("task", "binary-class")
    clean = clean_validation_mask(dataset) if clean is None else clean
    auc, acc = medmnist_auc_acc(task, y_val[clean], probs[clean])
    return {
        "val_auc": auc,
        "val_acc": acc,
        "val_auc_all": medmnist_auc_acc(task, y_val, probs)[0],
    }


def select_recipe(
    name: str, dataset: dict, candidates: dict, rerun: bool = False
) -> dict:
    """The selection protocol (``helpers.selection``) for case_cnn recipes: with
    ``rerun`` train every candidate with the selection seeds and score it on
    ``dataset``'s validation split only (``validation_scores``), writing
    the log; otherwise read the committed log. Returns the log;
    ``candidates[log["chosen"]]`` is the recipe."""
    from . import selection

    hidden, clean = selection.without_test(dataset), clean_validation_mask(dataset)
    print(
        f"validation images scored: {clean.sum()} of {len(clean)} (the others "
        "nearly copy a training image)"
    )
    return selection.run_or_load(
        name,
        candidates,
        lambda recipe, seed: validation_scores(hidden, recipe, seed, clean),
        rerun,
    )


def run_seeds(
    dataset: dict,
    seeds,
    build,
    train_kwargs: dict | None = None,
    flips=("horizontal",),
    members: int = 1,
) -> dict:
    """Per seed: train the article's CNN (baseline) and ``build()`` with
    ``training.fit``; score both on test once.

    With ``members > 1`` our model is a small ensemble: ``members`` copies trained from
    seeds ``1000 * seed + k`` whose probabilities are averaged; ``train_seconds`` is
    their total training time.

    Returns ``runs`` (seed, test_auc, test_acc, test_auc_clean, val_auc, train_seconds)
    for our model, where ``test_auc_clean`` is the AUC on the test images with no
    near-copy in training or validation (``clean_test_mask``, also returned) and
    ``val_auc`` counts the validation images with no near-copy in training (those that
    chose the epoch and the recipe),
    ``baseline_runs`` (seed, test_auc, test_acc), and from the first seed the trained
    ``models`` and their ``histories`` (the first also as ``model`` and ``history``),
    the TTA class probabilities ``val_probs`` and ``test_probs`` (N, C), and the article
    CNN's ``baseline_test_probs`` (N, C) for a paired comparison on the same test
    images.
    """
    task = dataset.get("task", "binary-class")
    x_val, y_val = to_float(dataset["val_images"]), dataset["val_labels"].ravel()
    x_test, y_test = to_float(dataset["test_images"]), dataset["test_labels"].ravel()
    clean = clean_test_mask(
        dataset
    )  # test images with no near-copy in training or validation
    out = {"runs": [], "baseline_runs": [], "clean_test_mask": clean}
    val_clean = clean_validation_mask(dataset)
    for seed in seeds:
        baseline = train_article_cnn(
            dataset, seed=seed
        ).model  # 5 epochs, batch 64, as the article
        baseline_probs = baseline.predict(x_test, verbose=0)
        auc, acc = medmnist_auc_acc(task, y_test, baseline_probs)
        out["baseline_runs"].append(
            {"seed": int(seed), "test_auc": round(auc, 4), "test_acc": round(acc, 4)}
        )
        trained = train_members(build, dataset, seed, members, train_kwargs)
        seconds = sum(t.seconds for t in trained)
        ensemble = [t.model for t in trained]
        val_probs, test_probs = (
            predict_tta(ensemble, x_val, flips),
            predict_tta(ensemble, x_test, flips),
        )
        model, history = trained[0].model, trained[0].history
        val_auc, _ = medmnist_auc_acc(task, y_val[val_clean], val_probs[val_clean])
        auc, acc = medmnist_auc_acc(
            task, y_test, test_probs
        )  # the only look at the test split
        auc_clean, _ = medmnist_auc_acc(task, y_test[clean], test_probs[clean])
        out["runs"].append(
            {
                "seed": int(seed),
                "test_auc": round(auc, 4),
                "test_acc": round(acc, 4),
                "test_auc_clean": round(auc_clean, 4),
                "val_auc": round(val_auc, 4),
                "train_seconds": round(seconds, 1),
            }
        )
        if "model" not in out:
            out.update(
                model=model,
                history=history,
                best_epoch=trained[0].best_epoch,
                val_probs=val_probs,
                test_probs=test_probs,
                models=ensemble,
                histories=[t.history for t in trained],
                baseline_test_probs=baseline_probs,
            )
    return out


def record_results(
    name: str, result: dict, y_test, description: str, extra: dict | None = None
) -> dict | None:
    """``results.record`` for a ``run_seeds`` result: writes the results file with 3+
    seeds (the bench), else returns the committed one; the bootstrap CI is of seed
    0's test AUC (class-1 probability)."""
    from .metrics import bootstrap_ci
    from .results import record

    ci95 = (
        bootstrap_ci(np.ravel(y_test), result["test_probs"][:, 1])[1:]
        if len(result["runs"]) >= 3
        else None
    )
    return record(
        name, result["runs"], result["baseline_runs"], description, ci95, extra
    )


def paired_with_baseline(
    y_test,
    score,
    baseline_score,
    committed: dict | None = None,
    metric=roc_auc_score,
    who: str = "our model's",
) -> dict:
    """Paired bootstrap of seed 0's test AUC minus the article CNN's, on the same
    resampled test images; shown as a sentence. Where ``committed`` exists, the
    difference must lie within ``results.tolerance`` of the committed per-seed gaps
    (3 sd of the gaps, at least 0.02), a check that stays below the gap it guards."""
    from .book import md
    from .metrics import paired_bootstrap

    paired = paired_bootstrap(y_test, score, baseline_score, metric=metric)
    md(
        f"Seed 0, paired bootstrap over the same resampled test images: {who} test "
        "AUC minus the article CNN's is "
        f"{paired['diff']:.3f} (95 % interval {paired['low']:.3f} to "
        f"{paired['high']:.3f}, p = {paired['p']:.3f})."
    )
    if committed is not None:
        from .results import tolerance

        pairs = zip(committed["runs"], committed["baseline_runs"], strict=True)
        gaps = [ours["test_auc"] - base["test_auc"] for ours, base in pairs]
        allowed = tolerance(float(np.std(gaps, ddof=1)), 0.02)
        assert abs(paired["diff"] - np.mean(gaps)) <= allowed, (paired, gaps, allowed)
    return paired


def benchmark_table(committed: dict | None, published: list[dict]):
    """Published rows (model, test AUC, test ACC) plus this book's committed 3-seed
    results as mean ± sd.

    Where ``committed`` (``results.load``) exists, the bootstrap interval of seed 0 is
    printed too. Returns a pandas DataFrame.
    """
    import pandas as pd

    table = pd.DataFrame(published)
    if committed is None:
        return table
    for name, r in (
        ("article CNN, this book (3 seeds)", committed["baseline_article_cnn"]),
        ("our CNN, this book (3 seeds)", committed),
    ):
        table.loc[len(table)] = {
            "model": name,
            "test AUC": f"{r['test_auc_mean']:.3f} ± {r['test_auc_sd']:.3f}",
            "test ACC": f"{r['test_acc_mean']:.3f} ± {r['test_acc_sd']:.3f}",
        }
    lo, hi = committed["bootstrap_auc_ci95"]
    print(
        "committed 3-seed results: bootstrap 95% CI of seed 0's test AUC "
        f"[{lo:.3f}, {hi:.3f}]"
    )
    return table
