"""Helpers for the book *Deep Learning for Medical Image Analysis*.

Small, flat modules: ``data`` (hash-checked registry and loaders), ``device`` (``setup``), ``plots``, ``metrics``,
``models``. TensorFlow is imported only by ``setup()`` and ``models``, so ``import helpers`` stays fast.
"""
__version__ = "0.2.0"
REPOSITORY = "https://github.com/medimg-book/dl-medical-imaging"  # must equal _config.yml repository.url (tested)
BRANCH = "main"  # must equal _config.yml repository.branch (tested)

from .device import setup  # noqa: E402

__all__ = ["setup", "data", "plots", "metrics", "models", "book", "imaging", "cases", "volumes", "explain", "privacy", "leakage", "baselines",
           "phantoms", "segmentation", "headlines"]


def __getattr__(name):  # lazy submodules: `helpers.models` imports TensorFlow only when first used
    if name in __all__[1:] or name == "signals":
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
