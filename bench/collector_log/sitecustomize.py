"""Put on the app's PYTHONPATH by `python -m bench.ui_load`: every garbage collection of every
process of the app (the supervisor and its forked workers) is written, one line each, to
BENCH_COLLECTOR_LOG/gc-<pid>.log: when it ended, its generation and how long it held the
interpreter. The bench reads them back for its window (`bench/collector.py`)."""

import gc
import os
import time
from typing import TextIO

_directory = os.environ.get("BENCH_COLLECTOR_LOG")
_started = [0.0]
_files: dict[int, TextIO] = {}


def _log(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    held_ms = (time.perf_counter() - _started[0]) * 1000
    pid = os.getpid()  # forked workers inherit the callback; each writes its own file
    log = _files.get(pid)
    if log is None:
        log = _files[pid] = open(f"{_directory}/gc-{pid}.log", "a", buffering=1)  # noqa: SIM115
    log.write(f"{time.time():.3f} {info['generation']} {held_ms:.2f}\n")


if _directory:
    gc.callbacks.append(_log)
