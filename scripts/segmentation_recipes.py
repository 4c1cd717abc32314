"""Re-run the validation-only recipe search of chapter 17's U-Net and add it to its log.

Usage: python scripts/segmentation_recipes.py RECIPE [RECIPE ...]   (names: RECIPES)

Each named recipe trains a fresh U-Net with seeds 0, 1 and 2 on the 160 training
phantoms and is scored on the 40 validation phantoms only: mean Dice per image of the
body, lung and lesion masks at 0.5, and the largest lesion output. The test phantoms
never reach a model. The data, the input channels and the loss are the chapter's own:
its cells that define them are run here, so the search trains what the chapter trains.
The runs are stored in ``src/helpers/results/segmentation_recipes.json`` with the set
of kernels they ran on: "portable" under the environment of ``make test-portable``
(oneDNN off), else "default"; a recipe's earlier runs on the same kernels are replaced.
Which recipe the chapter uses (the log's ``chosen``) is decided by the rule the chapter
states, and edited by hand.
"""

import json
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from helpers import models, phantoms, results, setup  # noqa: E402
from helpers import segmentation as seg  # noqa: E402

LOG = results.RESULTS_DIR / "segmentation_recipes.json"
NOTEBOOK = ROOT / "notebooks" / "17_segmentation.ipynb"
# name: (description, epochs, batch size, Adam's rate, schedule, lesion weight in BCE)
RECIPES = {
    "A_base": ("20 epochs, batch 16, Adam 3e-3, Dice + BCE (the first recipe)",
               20, 16, 3e-3, "constant", 1.0),
    "B_bs8": ("20 epochs, batch 8 (twice the steps)", 20, 8, 3e-3, "constant", 1.0),
    "C_ep30": ("30 epochs, batch 16", 30, 16, 3e-3, "constant", 1.0),
    "D_w10": ("20 epochs, batch 16, lesion pixels weighted x10 in the BCE",
              20, 16, 3e-3, "constant", 10.0),
    "E_cos30": ("30 epochs, batch 16, learning rate falling to 0 (cosine)",
                30, 16, 3e-3, "cosine", 1.0),
    "F_w10_cos30": ("30 epochs, batch 16, lesion pixels x10 in the BCE, cosine rate",
                    30, 16, 3e-3, "cosine", 10.0),
}  # fmt: skip


def chapter_definitions() -> dict:
    """Run the chapter's cells that define ct_channels, dice_loss and dice_bce_loss."""
    import keras
    import tensorflow as tf

    names = {"keras": keras, "tf": tf, "np": np, "LESION_WEIGHT": 1.0}
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    for cell in cells:
        if cell.cell_type == "code" and cell.source.startswith(
            ("def ct_channels", "def dice_loss")
        ):
            source = cell.source.split("\n\n\ndef train_unet")[0]
            exec(source.split("\n\n\nx = ")[0], names)
    missing = {"ct_channels", "dice_loss", "dice_bce_loss"} - set(names)
    if missing:
        raise SystemExit(f"{NOTEBOOK.name}: no cell starts by defining {missing}")
    return names


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(RECIPES))
    if not names or unknown:
        raise SystemExit(f"name recipes from {sorted(RECIPES)} (unknown: {unknown})")
    setup(seed=0, verbose=False)
    import keras

    chapter = chapter_definitions()
    ds = phantoms.phantom_dataset(300, seed=17, photons=(1e5,))
    x = chapter["ct_channels"](ds["fbp_100000"])
    y = np.stack([ds["body"], ds["lung"], ds["lesions"] > 0], -1).astype(np.float32)
    x_train, y_train, x_val, y_val = x[:160], y[:160], x[160:200], y[160:200]
    portable = os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"
    kernels = "portable" if portable else "default"
    log = json.loads(LOG.read_text())
    for name in names:
        recipe, epochs, batch, rate, schedule, weight = RECIPES[name]
        loss = lambda t, p, w=weight: chapter["dice_bce_loss"](t, p, lesion_weight=w)
        runs = []
        for seed in (0, 1, 2):
            keras.utils.set_random_seed(seed)
            model = models.unet(
                input_shape=(None, None, 2), n_outputs=3, filters=(8, 16, 32)
            )
            steps = epochs * int(np.ceil(len(x_train) / batch))
            cosine = keras.optimizers.schedules.CosineDecay
            lr = cosine(rate, steps) if schedule == "cosine" else rate
            model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)
            start = time.perf_counter()
            model.fit(x_train, y_train, batch_size=batch, epochs=epochs, verbose=0)
            seconds = time.perf_counter() - start
            prob = model.predict(x_val, verbose=0)
            run = {"seed": seed, "kernels": kernels}
            for k, mask in enumerate(["body", "lung", "lesion"]):
                dice = seg.per_image(seg.dice, prob[..., k] > 0.5, y_val[..., k] > 0)
                run[f"val_dice_{mask}"] = round(float(dice.mean()), 3)
            run["lesion_output_max"] = round(float(prob[..., 2].max()), 3)
            run["train_seconds"] = round(seconds, 1)
            print(name, json.dumps(run), flush=True)
            runs.append(run)
        entry = next((c for c in log["candidates"] if c["name"] == name), None)
        if entry is None:
            entry = {"name": name, "runs": []}
            log["candidates"].append(entry)
        entry |= {
            "recipe": recipe,
            "epochs": epochs,
            "batch_size": batch,
            "learning_rate": rate,
            "schedule": schedule,
            "lesion_bce_weight": weight,
        }
        kept = [r for r in entry["runs"] if r.get("kernels", "default") != kernels]
        entry["runs"] = kept + runs
        LOG.write_text(json.dumps(log, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
