"""pytest plugin used with nbval: wall time and peak kernel memory of each notebook ->
_build/runtimes.json.

The page badges (book/_ext/runtime_badges.py) read that file. The numbers are reported,
never asserted. Under pytest-xdist (``make test`` runs two notebooks at a time) each
worker writes its own part, and the controller merges the parts into runtimes.json at
the end; a notebook's time then includes sharing the CPU with another one.
"""

import json
import os
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "runtimes.json"
PARTS = ROOT / "_build" / "runtimes.parts"
_start, _end, _peak = {}, {}, {}


def _kernel_rss() -> int:
    me = psutil.Process(os.getpid())
    total = 0
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total


class _Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.current, self.stop = None, threading.Event()

    def run(self):
        while not self.stop.is_set():
            if self.current:
                _peak[self.current] = max(_peak.get(self.current, 0), _kernel_rss())
            self.stop.wait(0.2)


_sampler = _Sampler()


def pytest_sessionstart(session):
    if not hasattr(
        session.config, "workerinput"
    ):  # the controller (or a run without xdist): no stale parts
        for part in PARTS.glob("*.json"):
            part.unlink()
    _sampler.start()


def pytest_runtest_setup(item):
    name = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
    _start.setdefault(name, time.perf_counter())
    _sampler.current = name


def pytest_runtest_teardown(item):
    name = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
    _end[name] = time.perf_counter()


def pytest_sessionfinish(session):
    _sampler.stop.set()
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    from helpers.device import machine as cpu

    machine = cpu()
    if (
        worker
    ):  # the page badge says so: a notebook sharing the CPU runs slower than alone
        machine += (
            f", {session.config.workerinput.get('workercount', 2)} notebooks at a time"
        )
    measured = {
        name: {
            "wall_s": round(_end.get(name, start) - start, 1),
            "peak_rss_mb": round(_peak.get(name, 0) / 2**20),
            "machine": machine,
            "measured": "tests (nbval re-execution)",
        }
        for name, start in _start.items()
    }
    if worker:  # an xdist worker: leave its part for the controller
        PARTS.mkdir(parents=True, exist_ok=True)
        (PARTS / f"{worker}.json").write_text(json.dumps(measured))
        return
    for part in sorted(PARTS.glob("*.json")):
        measured.update(json.loads(part.read_text()))
        part.unlink()
    if not measured:
        return
    runtimes = json.loads(OUT.read_text()) if OUT.is_file() else {}
    runtimes.update(measured)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(runtimes, indent=1, sort_keys=True) + "\n")
    print("\nnotebook run times (wall s, peak MiB):")
    for name in sorted(measured):
        print(
            f"  {name}: {runtimes[name]['wall_s']} s, "
            f"{runtimes[name]['peak_rss_mb']} MiB"
        )
