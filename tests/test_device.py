"""helpers.setup(): report, seeds, determinism, quiet start-up."""
import subprocess
import sys

import numpy as np

import helpers


def test_setup_reports_and_seeds(capsys):
    report = helpers.setup(seed=3)
    line = capsys.readouterr().out
    assert "TensorFlow" in line and "seed 3" in line and line.count("\n") == 1
    assert report["device"] == "CPU" and report["seed"] == 3 and report["precision"] == "float32"
    assert report["colab"] is False and report["cpu_count"] >= 1
    first = np.random.rand(3)
    helpers.setup(seed=3, verbose=False)
    assert np.array_equal(first, np.random.rand(3))


def test_mixed_precision_is_ignored_on_cpu():
    assert helpers.setup(mixed_precision=True, verbose=False)["precision"] == "float32"


def test_same_seed_same_training_in_fresh_processes():
    code = ("import helpers, numpy as np; helpers.setup(seed=1, verbose=False); from helpers import models; "
            "m = models.article_cnn(); x = np.random.rand(64, 28, 28, 1).astype('float32'); "
            "y = (x.mean(axis=(1, 2, 3)) > 0.5).astype('int32'); m.fit(x, y, epochs=2, batch_size=16, verbose=0); "
            "print(repr(float(m.predict(x, verbose=0)[:, 1].sum())))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.strip()
    assert "oneDNN" not in runs[0].stderr and "absl::InitializeLog" not in runs[0].stderr  # start-up noise silenced
