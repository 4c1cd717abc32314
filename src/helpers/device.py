"""One call to make a notebook reproducible and quiet: ``helpers.setup(seed=0)``."""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys
import warnings
from pathlib import Path

from . import __version__


@contextlib.contextmanager
def _silenced_stderr():
    """Silence file descriptor 2 (C++ log lines TensorFlow prints while it loads),
    then restore it."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def op_determinism_enabled() -> bool:
    """True when TensorFlow's deterministic ops are on (``setup()`` turns them on)."""
    from tensorflow.python.framework import (
        config,
    )  # the public API has enable_ but no is_ function

    return config.is_op_determinism_enabled()


def parallel_calls():
    """``num_parallel_calls`` for a tf.data ``map``: ``AUTOTUNE``, or ``None`` (one
    element at a time) while deterministic ops are on. With them on, tf.data runs a map
    that draws random numbers sequentially anyway, and
    TensorFlow 2.20 then prints a spurious red error line ("NodeDef mentions
    attribute use_unbounded_threadpool")."""
    import tensorflow as tf

    return None if op_determinism_enabled() else tf.data.AUTOTUNE


def _sequential_keras_array_batches() -> None:
    """Have Keras slice NumPy inputs into batches with a sequential tf.data map.

    ``model.fit(x, y)`` on arrays builds a tf.data pipeline whose batch-slicing map is
    parallel. With deterministic ops on, tf.data rewrites that map to a sequential one,
    and TensorFlow 2.20 logs the rewrite as an error line ("NodeDef mentions attribute
    use_unbounded_threadpool"). Asking for the sequential map directly gives the same
    batches in the same order, without the line. A no-op where Keras is laid out
    differently.
    """
    try:
        from keras.src.trainers.data_adapters import array_data_adapter
    except ImportError:
        return
    adapter = array_data_adapter.ArrayDataAdapter
    original = adapter.get_tf_dataset
    if getattr(original, "sequential_map", False):  # setup() called twice
        return

    def get_tf_dataset(self):
        import tensorflow as tf

        parallel_map = tf.data.Dataset.map

        def sequential_map(
            dataset, function, num_parallel_calls=None, deterministic=None, name=None
        ):
            return parallel_map(dataset, function, name=name)

        tf.data.Dataset.map = sequential_map
        try:
            return original(self)
        finally:
            tf.data.Dataset.map = parallel_map

    get_tf_dataset.sequential_map = True
    adapter.get_tf_dataset = get_tf_dataset


def machine() -> str:
    """The CPU a measurement ran on, e.g. "2-core CPU with AVX-512 and AMX, x86_64":
    TensorFlow's speed on a CPU depends most on those vector units (without them the
    book's chapters run two to three times as long)."""
    units = []
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:  # not Linux: name the cores only
        flags = set()
    for flag, name in (("avx512f", "AVX-512"), ("amx_tile", "AMX")):
        if flag in flags:
            units.append(name)
    if not units and "avx2" in flags:
        units.append("AVX2")
    with_units = f" with {' and '.join(units)}" if units else ""
    return f"{os.cpu_count()}-core CPU{with_units}, {platform.machine()}"


def load_average() -> float | None:
    """The 1-minute load average, stored beside measured times (None where the system
    has none, as on Windows)."""
    try:
        return round(os.getloadavg()[0], 1)
    except (AttributeError, OSError):
        return None


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def setup(seed: int = 0, mixed_precision: bool = False, verbose: bool = True) -> dict:
    """Seed Python/NumPy/TensorFlow, make ops deterministic, grow GPU memory, quiet TF's
    start-up; return a report.

    Only the lines TensorFlow prints while it loads are silenced: later warnings and
    errors stay visible. ``mixed_precision=True`` turns on float16 compute only when a
    GPU is present (it slows CPUs down).
    """
    os.environ["PYTHONHASHSEED"] = str(
        seed
    )  # for child processes (this one's hash seed is fixed at start)
    if "tensorflow" not in sys.modules:  # read once, when TensorFlow loads
        # TensorFlow's C++ INFO lines (e.g. "Local rendezvous is aborting ... End of
        # sequence" after each pass over a
        # dataset) say nothing a reader needs; warnings and errors stay visible. A
        # reader's own setting wins.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
        # TensorFlow turns its oneDNN CPU kernels on by itself only on CPUs with
        # AVX512-VNNI or AMX; elsewhere (AMD,
        # older Intel) a Conv3D step runs about 5x slower without them. Set it to 0
        # yourself to keep them off.
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    with _silenced_stderr():
        import numpy as np

        try:
            import tensorflow as tf
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                'helpers.setup() needs TensorFlow: pip install "medimg-helpers[tf]" '
                "(or tensorflow-cpu), then restart the kernel"
            ) from None
        import keras

        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:  # must come before the first op starts the runtime
            with contextlib.suppress(
                RuntimeError
            ):  # a second setup() call: the runtime is already running
                tf.config.experimental.set_memory_growth(gpu, True)
        tf.constant(
            0
        )  # first op: starts the runtime while its start-up lines are silenced
    if gpus and not tf.config.experimental.get_memory_growth(gpus[0]):
        warnings.warn(
            "TensorFlow was running before helpers.setup(), so it holds all GPU "
            "memory: restart the "
            "runtime and call setup() first",
            stacklevel=2,
        )
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    _sequential_keras_array_batches()
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        device = f"GPU x{len(gpus)} ({details.get('device_name', 'unknown')})"
    else:
        device = "CPU"
    if mixed_precision and gpus:
        keras.mixed_precision.set_global_policy("mixed_float16")
    report = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "device": device,
        "cpu_count": os.cpu_count(),
        "colab": in_colab(),
        "seed": seed,
        "deterministic": op_determinism_enabled(),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "TensorFlow's default"),
        "helpers": __version__,
        "precision": keras.mixed_precision.global_policy().name,
    }
    if verbose:
        print(
            f"TensorFlow {report['tensorflow']} (Keras {report['keras']}), Python "
            f"{report['python']} | "
            f"{device}, {report['cpu_count']} CPU cores | seed {seed}, "
            "deterministic ops, "
            f"{report['precision']}{' | Colab' if report['colab'] else ''}"
        )
    return report
