"""Helpers for the book *Deep Learning for Medical Image Analysis*: code that two or
more chapters share.

Modules (imported on first use, so ``import helpers`` stays fast; those marked TF import
TensorFlow):

- ``device``: ``setup()``, seeds, deterministic ops, the environment report (TF on
  call);
- ``data``: the hash-checked data registry and loaders (MedMNIST, DICOM series);
  ``home``: where the book lives;
- ``imaging``: CT windows, display ranges and views of DICOM and CT; ``plots``: figures;
  ``book``: page tools;
- ``metrics``: MedMNIST rules, bootstrap intervals, thresholds, calibration;
  ``baselines``: published results;
- ``results``: the committed results files, the list of case studies, one tolerance rule
  for re-runs;
- ``models`` (TF): the article's CNN, its variants, the 3D CNN and the U-Net;
  ``training`` (TF): ``fit``, the best-epoch callback and ``predict_tta``; ``cases``
  (TF): the 2D case studies' CNN and protocol; ``volumes`` (TF): 3D augmentation and
  pipelines; ``explain`` (TF): Grad-CAM and saliency;
- ``selection``: validation-only recipe choice; ``leakage``: near-duplicate audit;
  ``privacy``: DICOM
  de-identification; ``phantoms`` and ``segmentation``: simulated CT and its metrics;
- ``exercises``: ``check()``, which judges a reader's answer to an exercise.
"""

__version__ = "0.3.0"

from .device import setup  # noqa: E402

# where the book lives (_config.yml; make retarget)
from .home import REF as BRANCH  # noqa: E402, F401
from .home import REPOSITORY  # noqa: E402, F401

__all__ = [
    "setup",
    "baselines",
    "book",
    "cases",
    "data",
    "device",
    "exercises",
    "explain",
    "home",
    "imaging",
    "leakage",
    "metrics",
    "models",
    "phantoms",
    "plots",
    "privacy",
    "results",
    "segmentation",
    "selection",
    "training",
    "volumes",
]


def __getattr__(
    name,
):  # lazy submodules: `helpers.models` imports TensorFlow only when first used
    if name in __all__[1:]:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
