"""The case-study CNN and its training recipe, shared by the 2D case studies (chapters 07 and 08, reused later).

``case_cnn`` builds a small batch-normalised CNN with optional on-the-fly augmentation; ``train_case_model`` trains
it on a ``data.load_medmnist`` dict with a cosine learning-rate schedule and keeps the weights of the epoch with the
best validation AUC; ``predict_tta`` averages predictions over flipped copies (test-time augmentation).
Importing this module imports TensorFlow.
"""
from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from sklearn.metrics import roc_auc_score

from .data import to_float
from .leakage import clean_test_mask, clean_validation_mask
from .metrics import medmnist_auc_acc


def augmenter(flip: str | None = "horizontal", translate: float = 0.1, rotate: float = 0.05, zoom: float = 0.1,
              contrast: float = 0.1, seed: int | None = None) -> keras.Sequential:
    """Random flips, shifts, rotations (fraction of a turn), zooms and contrast changes; active only in training."""
    steps = [layers.RandomFlip(flip, seed=seed)] if flip else []
    if translate:
        steps.append(layers.RandomTranslation(translate, translate, fill_mode="reflect", seed=seed))
    if rotate:
        steps.append(layers.RandomRotation(rotate, fill_mode="reflect", seed=seed))
    if zoom:
        steps.append(layers.RandomZoom(zoom, fill_mode="reflect", seed=seed))
    if contrast:
        steps.append(layers.RandomContrast(contrast, seed=seed))
    return keras.Sequential(steps, name="augment")


def case_cnn(input_shape=(28, 28, 1), n_classes: int = 2, filters=(32, 64, 128), convs_per_stage: int = 2,
             dropout: float = 0.3, augment: keras.Layer | None = None, name: str = "case_cnn") -> keras.Model:
    """A small CNN for 28x28 MedMNIST images: (augment ->) per stage ``convs_per_stage`` x [Conv 3x3 -> BN -> ReLU]
    then 2x2 max-pooling; global average pooling -> dropout -> Dense softmax over ``n_classes``.

    Inputs are float32 in [0, 1] with a channel axis (``data.to_float``). Not compiled; ``train_case_model``
    compiles it. ``augment`` (e.g. ``augmenter()``) runs only while training.
    """
    inputs = keras.Input(shape=input_shape, name="image")
    x = augment(inputs) if augment is not None else inputs
    for stage, n in enumerate(filters):
        for _ in range(convs_per_stage):
            x = layers.Conv2D(n, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)  # fast-moving statistics: few steps per epoch
            x = layers.ReLU()(x)
        if stage < len(filters) - 1:
            x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def make_dataset(images, labels, batch_size: int = 64, shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
    """A cached, batched, prefetched tf.data pipeline of (float image, label) pairs; shuffled each epoch if asked."""
    labels = np.asarray(labels)
    labels = labels.ravel() if labels.ndim == 2 and labels.shape[1] == 1 else labels  # MedMNIST (N, 1) -> (N,)
    ds = tf.data.Dataset.from_tensor_slices((images, labels)).cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class BestValAUC(keras.callbacks.Callback):
    """Adds ``val_auc`` and ``val_acc_medmnist`` (MedMNIST rules) to the logs each epoch; at the end restores the
    weights of the epoch (from ``start_epoch`` on) with the best validation AUC. Used for 2D and 3D models."""

    def __init__(self, x_val, y_val, task: str = "binary-class", start_epoch: int = 0, batch_size: int = 512):
        super().__init__()
        self.x_val, self.y_val, self.task = x_val, np.asarray(y_val).ravel(), task
        self.start_epoch, self.batch_size = start_epoch, batch_size
        self.best_auc, self.best_epoch, self.best_weights = -np.inf, -1, None

    def on_epoch_end(self, epoch, logs=None):
        probs = self.model.predict(self.x_val, batch_size=self.batch_size, verbose=0)
        auc, acc = medmnist_auc_acc(self.task, self.y_val, probs)
        if logs is not None:
            logs["val_auc"], logs["val_acc_medmnist"] = auc, acc
        if epoch >= self.start_epoch and auc > self.best_auc:
            self.best_auc, self.best_epoch, self.best_weights = auc, epoch, self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def train_case_model(model: keras.Model, dataset: dict, epochs: int = 30, batch_size: int = 64, lr: float = 3e-3,
                     weight_decay: float = 1e-4, label_smoothing: float = 0.0, class_weight: dict | str | None = None,
                     seed: int = 0):
    """Compile ``model`` (AdamW, cosine decay) and fit it on ``dataset``'s train split; returns (model, history, seconds).

    The weights kept are those of the epoch with the best validation AUC (the test split is never used here).
    ``class_weight="balanced"`` weights each class by N / (n_classes * count). ``seconds`` times ``fit`` only.
    """
    x_train, y_train = to_float(dataset["train_images"]), dataset["train_labels"].ravel()
    x_val, y_val = to_float(dataset["val_images"]), dataset["val_labels"].ravel()
    n_classes = model.output_shape[-1]
    if class_weight == "balanced":
        counts = np.bincount(y_train, minlength=n_classes)
        class_weight = {k: len(y_train) / (n_classes * c) for k, c in enumerate(counts)}
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=steps, alpha=0.01)
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=weight_decay), loss=loss)
    one_hot = (lambda y: keras.utils.to_categorical(y, n_classes))
    train = make_dataset(x_train, one_hot(y_train), batch_size, shuffle=True, seed=seed)
    best = BestValAUC(x_val, y_val, dataset.get("task", "binary-class"))
    start = time.perf_counter()
    history = model.fit(train, epochs=epochs, class_weight=class_weight, callbacks=[best], verbose=0,
                        shuffle=False)  # the tf.data pipeline shuffles each epoch itself
    seconds = time.perf_counter() - start
    history.history["best_epoch"] = best.best_epoch + 1
    return model, history, seconds


def predict_tta(model, images, flips=("horizontal",), batch_size: int = 512) -> np.ndarray:
    """Class probabilities (N, C) averaged over the images and their flipped copies (test-time augmentation).

    ``model`` is a Keras model or a list of them (an ensemble: their probabilities are averaged too). ``images`` are
    float32 (N, H, W, C); ``flips`` may hold "horizontal" and/or "vertical"; () gives plain predictions.
    """
    models = model if isinstance(model, (list, tuple)) else [model]
    x = np.asarray(images, dtype=np.float32)
    views = [x] + [x[:, :, ::-1] if f == "horizontal" else x[:, ::-1] for f in flips]
    return np.mean([m.predict(v, batch_size=batch_size, verbose=0) for m in models for v in views], axis=0)


def train_members(build, dataset: dict, seed: int, members: int = 1, train_kwargs: dict | None = None) -> list:
    """Train ``members`` models from ``build()`` with ``train_case_model``; member k uses seed ``1000 * seed + k``.
    Returns one (model, history, seconds) per member."""
    trained = []
    for k in range(members):
        keras.utils.set_random_seed(1000 * seed + k)
        trained.append(train_case_model(build(), dataset, seed=1000 * seed + k, **(train_kwargs or {})))
    return trained


def build_recipe(recipe: dict, input_shape=(28, 28, 1), n_classes: int = 2) -> keras.Model:
    """``case_cnn`` as a recipe says: ``recipe["build"]`` (case_cnn's arguments) and ``recipe["augment"]``
    (augmenter's arguments, or None for no augmentation)."""
    augment = augmenter(**recipe["augment"]) if recipe.get("augment") else None
    return case_cnn(input_shape=input_shape, n_classes=n_classes, augment=augment, **recipe["build"])


def validation_scores(dataset: dict, recipe: dict, seed: int, clean=None) -> dict:
    """Train ``recipe`` with ``seed`` and score it on the validation split only: {val_auc, val_acc, val_auc_all}.

    ``val_auc`` and ``val_acc`` count the validation images with no near-copy in training (``clean``, by default
    ``leakage.clean_validation_mask(dataset)``); ``val_auc_all`` counts every validation image.

    A recipe holds ``build`` and ``augment`` (see ``build_recipe``), ``train`` (train_case_model's arguments), ``tta``
    (flips for predict_tta) and ``members`` (ensemble size; member k uses seed ``1000 * seed + k``, as ``run_seeds``
    does). This is the selection step of chapters 07 and 08 (``helpers.selection``); pass the dataset through
    ``selection.without_test``.
    """
    x_val, y_val = to_float(dataset["val_images"]), dataset["val_labels"].ravel()
    n_classes = len(dataset.get("label_names", (0, 1)))
    trained = train_members(lambda: build_recipe(recipe, x_val.shape[1:], n_classes), dataset, seed,
                            recipe.get("members", 1), recipe["train"])
    probs = predict_tta([model for model, _, _ in trained], x_val, recipe.get("tta", ()))
    task = dataset.get("task", "binary-class")
    clean = clean_validation_mask(dataset) if clean is None else clean
    auc, acc = medmnist_auc_acc(task, y_val[clean], probs[clean])
    return {"val_auc": auc, "val_acc": acc, "val_auc_all": medmnist_auc_acc(task, y_val, probs)[0]}


def select_recipe(name: str, dataset: dict, candidates: dict, rerun: bool = False) -> dict:
    """The selection protocol (``helpers.selection``) for case_cnn recipes: with ``rerun`` train every candidate
    with the selection seeds and score it on ``dataset``'s validation split only (``validation_scores``), writing
    the log; otherwise read the committed log. Returns the log; ``candidates[log["chosen"]]`` is the recipe."""
    from . import selection
    hidden, clean = selection.without_test(dataset), clean_validation_mask(dataset)
    print(f"validation images scored: {clean.sum()} of {len(clean)} (the others nearly copy a training image)")
    return selection.run_or_load(name, candidates, lambda recipe, seed: validation_scores(hidden, recipe, seed, clean),
                                 rerun)


def run_seeds(dataset: dict, seeds, build, train_kwargs: dict | None = None, flips=("horizontal",),
              members: int = 1) -> dict:
    """Per seed: train the article's CNN (baseline) and ``build()`` with ``train_case_model``; score both on test once.

    With ``members > 1`` our model is a small ensemble: ``members`` copies trained from seeds ``1000 * seed + k``
    whose probabilities are averaged; ``train_seconds`` is their total training time.

    Returns ``runs`` (seed, test_auc, test_acc, test_auc_clean, val_auc, train_seconds) for our model, where
    ``test_auc_clean`` is the AUC on the test images with no near-copy in training or validation
    (``clean_test_mask``, also returned), ``baseline_runs`` (seed, test_auc, test_acc), and from the first seed the trained ``models`` and their ``histories`` (the first also as
    ``model`` and ``history``), the TTA class probabilities ``val_probs`` and ``test_probs`` (N, C), and the
    article CNN's ``baseline_test_probs`` (N, C) for a paired comparison on the same test images.
    """
    from .models import fit_article_cnn
    task = dataset.get("task", "binary-class")
    x_val, y_val = to_float(dataset["val_images"]), dataset["val_labels"].ravel()
    x_test, y_test = to_float(dataset["test_images"]), dataset["test_labels"].ravel()
    clean = clean_test_mask(dataset)  # test images with no near-copy in training or validation
    out = {"runs": [], "baseline_runs": [], "clean_test_mask": clean}
    for seed in seeds:
        baseline, _ = fit_article_cnn(dataset, seed=seed)  # 5 epochs, batch 64, as the article
        baseline_probs = baseline.predict(x_test, verbose=0)
        auc, acc = medmnist_auc_acc(task, y_test, baseline_probs)
        out["baseline_runs"].append({"seed": int(seed), "test_auc": round(auc, 4), "test_acc": round(acc, 4)})
        trained = train_members(build, dataset, seed, members, train_kwargs)
        seconds = sum(secs for _, _, secs in trained)
        ensemble = [m for m, _, _ in trained]
        val_probs, test_probs = predict_tta(ensemble, x_val, flips), predict_tta(ensemble, x_test, flips)
        model, history, _ = trained[0]
        val_auc, _ = medmnist_auc_acc(task, y_val, val_probs)
        auc, acc = medmnist_auc_acc(task, y_test, test_probs)  # the only look at the test split
        auc_clean, _ = medmnist_auc_acc(task, y_test[clean], test_probs[clean])
        out["runs"].append({"seed": int(seed), "test_auc": round(auc, 4), "test_acc": round(acc, 4),
                            "test_auc_clean": round(auc_clean, 4), "val_auc": round(val_auc, 4),
                            "train_seconds": round(seconds, 1)})
        if "model" not in out:
            out.update(model=model, history=history, val_probs=val_probs, test_probs=test_probs,
                       models=ensemble, histories=[h.history for _, h, _ in trained], baseline_test_probs=baseline_probs)
    return out


def record_results(name: str, result: dict, y_test, description: str, extra: dict | None = None) -> dict | None:
    """With 3+ seeds write ``helpers/results/<name>.json`` (scripts/bench.py); with fewer, compare seed 0 with the committed file.

    ``result`` comes from ``run_seeds``; the bootstrap 95% CI of the AUC uses seed 0's test probabilities and ``y_test``.
    Returns the committed results (None where there are none, e.g. on Colab). Raises AssertionError when this run's
    seed-0 test AUC differs from the committed one by more than 0.01.
    """
    from .book import peak_rss_mb
    from .metrics import bootstrap_ci, compare_with_committed, load_results, save_results, summarise
    runs = result["runs"]
    if len(runs) >= 3:
        _, low, high = bootstrap_ci(np.ravel(y_test), result["test_probs"][:, 1])
        info = {"model": description, "baseline_article_cnn": summarise(result["baseline_runs"]),
                "baseline_runs": result["baseline_runs"],
                "bootstrap_auc_ci95": [round(low, 4), round(high, 4)], "peak_rss_mb": round(peak_rss_mb())}
        info.update(extra or {})
        save_results(name, runs, extra=info)
        print(f"wrote helpers/results/{name}.json from {len(runs)} seeds")
        return load_results(name)
    return compare_with_committed(name, runs[0]["test_auc"])


def check_seed0(result: dict, committed: dict | None, baseline_tolerance: float = 0.04) -> None:
    """Assert this run's seed 0 against the committed 3-seed results (nothing to check where there are none).

    Our model: within 3 sd of the committed mean, at least 0.01 (AUC) and 0.02 (ACC), since three seeds estimate the
    sd poorly and another CPU moves a run like a new seed. The article CNN's AUC: within ``baseline_tolerance``.
    """
    if committed is None:
        return
    run, base = result["runs"][0], result["baseline_runs"][0]
    for key, floor in (("test_auc", 0.01), ("test_acc", 0.02)):
        tolerance = max(3 * committed[f"{key}_sd"], floor)
        assert abs(run[key] - committed[f"{key}_mean"]) <= tolerance, (key, run[key], committed[f"{key}_mean"])
    expected = committed["baseline_article_cnn"]["test_auc_mean"]
    assert abs(base["test_auc"] - expected) <= baseline_tolerance, ("article CNN test_auc", base["test_auc"], expected)


def paired_with_baseline(y_test, score, baseline_score, committed: dict | None = None, metric=roc_auc_score,
                         tolerance: float = 0.05, who: str = "our model's") -> dict:
    """Paired bootstrap of seed 0's test AUC minus the article CNN's, on the same resampled test images; shown as a
    sentence. Where ``committed`` exists, the difference must lie within ``tolerance`` of its 3-seed gap."""
    from .book import md
    from .metrics import paired_bootstrap
    paired = paired_bootstrap(y_test, score, baseline_score, metric=metric)
    md(f"Seed 0, paired bootstrap over the same resampled test images: {who} test AUC minus the article CNN's is "
       f"{paired['diff']:.3f} (95 % interval {paired['low']:.3f} to {paired['high']:.3f}, p = {paired['p']:.3f}).")
    if committed is not None:
        gap = committed["test_auc_mean"] - committed["baseline_article_cnn"]["test_auc_mean"]
        assert abs(paired["diff"] - gap) <= tolerance, (paired, "committed gap", gap)
    return paired


def benchmark_table(committed: dict | None, published: list[dict]):
    """Published rows (model, test AUC, test ACC) plus this book's committed 3-seed results as mean ± sd.

    Where ``committed`` (``metrics.load_results``) exists, the bootstrap interval of seed 0 is printed too.
    Returns a pandas DataFrame.
    """
    import pandas as pd
    table = pd.DataFrame(published)
    if committed is None:
        return table
    for name, r in (("article CNN, this book (3 seeds)", committed["baseline_article_cnn"]),
                    ("our CNN, this book (3 seeds)", committed)):
        table.loc[len(table)] = {"model": name, "test AUC": f"{r['test_auc_mean']:.3f} ± {r['test_auc_sd']:.3f}",
                                 "test ACC": f"{r['test_acc_mean']:.3f} ± {r['test_acc_sd']:.3f}"}
    lo, hi = committed["bootstrap_auc_ci95"]
    print(f"committed 3-seed results: bootstrap 95% CI of seed 0's test AUC [{lo:.3f}, {hi:.3f}]")
    return table
