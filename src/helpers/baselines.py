"""Published baselines on the MedMNIST test splits, in one table the chapters and the
results page read.

Every row says where the number comes from, the resolution the model saw, whether it was
pre-trained and whether it is an ensemble. All rows are MedMNIST v2's own benchmark
(Yang et al., Scientific Data 10:41, 2023, Tables 3 and 4; medmnist.github.io): every
model there is trained from scratch on the official splits, and "224" means the 28-pixel
images upsampled to 224, not higher-resolution data. The numbers of "the article's CNN"
elsewhere in the book are the book's own runs of the source article's model: the article
reports no numbers.

MedMNIST+ (Doerrich et al., 2024, arXiv:2404.15786) benchmarks ImageNet-pretrained
backbones at 28 px (the MedMNIST v2 images) and on the larger
MedMNIST+ versions (64, 128 and 224 px); it is context, not a like-for-like baseline,
so it has no rows here.
"""

from __future__ import annotations

SOURCE = "MedMNIST v2 (Yang et al., Sci Data 10:41, 2023)"
RESNET = {
    "pretrained": "no (from scratch)",
    "ensemble": "no (a single network)",
}
AUTOML = {"pretrained": "unknown (commercial AutoML)", "ensemble": "unknown"}

PUBLISHED = {
    "breastmnist": [
        {
            "model": "ResNet-18",
            "resolution": "28",
            "auc": 0.901,
            "acc": 0.863,
            **RESNET,
        },
        {
            "model": "Google AutoML Vision",
            "resolution": "28",
            "auc": 0.919,
            "acc": 0.861,
            **AUTOML,
        },
    ],
    "pneumoniamnist": [
        {
            "model": "ResNet-18",
            "resolution": "28",
            "auc": 0.944,
            "acc": 0.854,
            **RESNET,
        },
        {
            "model": "ResNet-50",
            "resolution": "28 upsampled to 224",
            "auc": 0.962,
            "acc": 0.884,
            **RESNET,
        },
        {
            "model": "Google AutoML Vision",
            "resolution": "28",
            "auc": 0.991,
            "acc": 0.946,
            **AUTOML,
        },
    ],
    "retinamnist": [
        {
            "model": "ResNet-18",
            "resolution": "28",
            "auc": 0.717,
            "acc": 0.524,
            **RESNET,
        },
        {
            "model": "ResNet-50",
            "resolution": "28 upsampled to 224",
            "auc": 0.716,
            "acc": 0.511,
            **RESNET,
        },
        {
            "model": "Google AutoML Vision",
            "resolution": "28",
            "auc": 0.750,
            "acc": 0.531,
            **AUTOML,
        },
    ],
    "adrenalmnist3d": [
        {
            "model": "ResNet-18 + ACS (3D)",
            "resolution": "28^3",
            "auc": 0.839,
            "acc": 0.754,
            **RESNET,
        },
        {
            "model": "auto-sklearn",
            "resolution": "28^3",
            "auc": None,
            "acc": 0.802,
            "pretrained": "no",
            "ensemble": "yes (auto-sklearn builds ensembles)",
        },
    ],
}


def published(dataset: str) -> list[dict]:
    """The published rows for ``dataset``, each with model, resolution, auc, acc,
    pretrained, ensemble and source."""
    return [dict(row, source=SOURCE) for row in PUBLISHED[dataset]]


def best(dataset: str, metric: str = "auc") -> dict:
    """The published row with the highest ``metric`` ("auc" or "acc") for
    ``dataset``."""
    return max(
        (r for r in published(dataset) if r[metric] is not None),
        key=lambda r: r[metric],
    )


def table_rows(dataset: str) -> list[dict]:
    """Rows for ``cases.benchmark_table``: model (with resolution and pre-training),
    test AUC, test ACC."""
    return [
        {
            "model": f"{r['model']} ({r['resolution']}, {SOURCE.split(' (')[0]}; "
            f"pre-trained: {r['pretrained']})",
            "test AUC": "-" if r["auc"] is None else f"{r['auc']:.3f}",
            "test ACC": f"{r['acc']:.3f}",
        }
        for r in published(dataset)
    ]
