"""helpers.setup(): report, seeds, determinism, quiet start-up."""

import os
import subprocess
import sys

import numpy as np
import pytest

import helpers


def test_setup_reports_and_seeds(capsys):
    report = helpers.setup(seed=3)
    line = capsys.readouterr().out
    assert "TensorFlow" in line and "seed 3" in line and line.count("\n") == 1
    import tensorflow as tf

    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    assert (
        report["device"].startswith("GPU" if on_gpu else "CPU") and report["seed"] == 3
    )
    assert report["deterministic"] is True and report["helpers"] == helpers.__version__
    assert report["precision"] == "float32"
    assert report["colab"] is False and report["cpu_count"] >= 1
    first = np.random.rand(3)
    helpers.setup(seed=3, verbose=False)
    assert np.array_equal(first, np.random.rand(3))


def test_mixed_precision_is_ignored_on_cpu():
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip(
            "on a GPU host mixed precision is honoured; this test covers the CPU rule"
        )
    assert helpers.setup(mixed_precision=True, verbose=False)["precision"] == "float32"


GROWTH_PROBE = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
calls = []
def growth(device, enable):
    # configuring devices is possible only before the runtime starts: prove setup()
    # calls this before it does
    logical = [tf.config.LogicalDeviceConfiguration()] * 2
    tf.config.set_logical_device_configuration(cpu, logical)
    calls.append(enable)
def gpus(kind=None):
    physical = tf.config.experimental.list_physical_devices
    return [cpu] if kind == "GPU" else physical(kind)
tf.config.list_physical_devices = gpus
tf.config.experimental.set_memory_growth = growth
tf.config.experimental.get_memory_growth = lambda device: bool(calls)
tf.config.experimental.get_device_details = lambda device: {"device_name": "probe"}
import helpers
helpers.setup(verbose=False)
print(calls, len(tf.config.list_logical_devices("CPU")))
"""


def test_gpu_memory_growth_is_set_before_the_runtime_starts():
    """With a CPU standing in for a GPU: setup() configures devices before its first op
    starts the runtime
    (afterwards TensorFlow refuses, which the old setup() silently swallowed)."""
    run = subprocess.run(
        [sys.executable, "-c", GROWTH_PROBE], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-1500:]
    assert run.stdout.split() == ["[True]", "2"], run.stdout


def test_warnings_stay_visible_after_setup():
    code = (
        "import warnings, helpers; helpers.setup(verbose=False); import keras; "
        "warnings.warn('a learner should see this', UserWarning); "
        "import os; print(os.environ.get('TF_CPP_MIN_LOG_LEVEL', 'unset'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert "a learner should see this" in run.stderr
    assert run.stdout.strip() == "1", (
        "setup() hides TensorFlow's INFO lines only (warnings and errors stay)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(env, TF_CPP_MIN_LOG_LEVEL="0"),
    )
    assert run.stdout.strip() == "0", "a reader's own TF_CPP_MIN_LOG_LEVEL wins"


FIT_ARRAYS = """
import sys, numpy as np, helpers
# "parallel": Keras's own parallel batch map, which deterministic tf.data rewrites
if sys.argv[1] == "parallel":
    helpers.device._sequential_keras_array_batches = lambda: None
helpers.setup(seed=0, verbose=False)
from helpers import models
rng = np.random.default_rng(0)
x = rng.random((300, 28, 28, 1), dtype=np.float32)
y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int32")
m = models.article_cnn()
m.fit(x, y, epochs=2, batch_size=64, validation_data=(x[:64], y[:64]), verbose=0)
print(repr(float(np.abs(np.concatenate([w.ravel() for w in m.get_weights()])).sum())))
"""


def test_keras_on_arrays_prints_no_red_line_and_trains_the_same():
    """With deterministic ops, Keras's parallel batch map makes TF 2.20 log a spurious
    error line; setup() has Keras
    use the sequential map that tf.data would run anyway: same weights, no line."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    runs = {
        mode: subprocess.run(
            [sys.executable, "-c", FIT_ARRAYS, mode],
            capture_output=True,
            text=True,
            env=env,
        )
        for mode in ("sequential", "parallel")
    }
    for mode, run in runs.items():
        assert run.returncode == 0, f"{mode}: {run.stderr[-1500:]}"
    assert (
        runs["sequential"].stdout == runs["parallel"].stdout
        and runs["sequential"].stdout.strip()
    )
    assert "NodeDef" not in runs["sequential"].stderr, runs["sequential"].stderr[-1500:]
    assert " E tensorflow" not in runs["sequential"].stderr


def test_parallel_calls_is_sequential_under_deterministic_ops():
    helpers.setup(verbose=False)
    assert helpers.device.parallel_calls() is None


def test_same_seed_same_training_in_fresh_processes():
    code = (
        "import helpers, numpy as np; helpers.setup(seed=1, verbose=False); from "
        "helpers import models; "
        "m = models.article_cnn(); x = np.random.rand(64, 28, 28, "
        "1).astype('float32'); "
        "y = (x.mean(axis=(1, 2, 3)) > 0.5).astype('int32'); m.fit(x, y, epochs=2, "
        "batch_size=16, verbose=0); "
        "print(repr(float(m.predict(x, verbose=0)[:, 1].sum())))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.strip()
    assert (
        "oneDNN" not in runs[0].stderr and "absl::InitializeLog" not in runs[0].stderr
    )  # start-up noise silenced


def test_onednn_is_turned_on_before_tensorflow_loads_unless_the_reader_chose():
    """TensorFlow reads TF_ENABLE_ONEDNN_OPTS once, at import: setup() sets it first
    (Conv3D is ~5x faster with it on CPUs where TensorFlow leaves oneDNN off), and
    leaves a reader's own choice alone."""
    code = (
        "import os, helpers; r = helpers.setup(verbose=False); "
        "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'), r['onednn'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert run.stdout.split() == ["1", "1"], run.stdout
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "TF_ENABLE_ONEDNN_OPTS": "0"},
    )
    assert run.stdout.split() == ["0", "0"], run.stdout


def test_machine_names_cores_and_vector_units():
    import platform

    text = helpers.device.machine()
    assert text.startswith(f"{os.cpu_count()}-core CPU") and text.endswith(
        platform.machine()
    )
    flags = (
        open("/proc/cpuinfo").read().split() if os.path.exists("/proc/cpuinfo") else []
    )
    assert ("AVX-512" in text) == ("avx512f" in flags) and ("AMX" in text) == (
        "amx_tile" in flags
    )
