"""The app's garbage collections during a bench's measured window, from the lines
`bench/collector_log/sitecustomize.py` writes in each process of the app: how many a worker
ran a minute, and the longest, by generation. A full collection holds a worker's event loop
(every click and push of that worker waits), so its length is a floor under the tail."""

import os
from pathlib import Path
from typing import Any

LOGGER = Path(__file__).parent / "collector_log"
GENERATIONS = ("young", "middle", "full")


def environment(directory: Path) -> dict[str, str]:
    """The app's settings that make every process log its collections into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("gc-*.log"):
        old.unlink()
    path = os.pathsep.join(filter(None, [str(LOGGER), os.environ.get("PYTHONPATH", "")]))
    return {"PYTHONPATH": path, "BENCH_COLLECTOR_LOG": str(directory)}


def summary(directory: Path, start: float, end: float, workers: int) -> dict[str, Any]:
    """Per worker and minute of [start, end] (wall-clock seconds): collections and held
    milliseconds by generation, and the longest."""
    held: dict[str, list[float]] = {name: [] for name in GENERATIONS}
    for log in directory.glob("gc-*.log"):
        for line in log.read_text().splitlines():
            ended, generation, ms = line.split()
            if start <= float(ended) <= end:
                held[GENERATIONS[int(generation)]].append(float(ms))
    minutes = max(end - start, 1.0) / 60 * max(workers, 1)
    return {
        name: {
            "per_minute": round(len(times) / minutes, 1),
            "ms_per_minute": round(sum(times) / minutes),
            "longest_ms": round(max(times, default=0.0), 1),
        }
        for name, times in held.items()
    }
