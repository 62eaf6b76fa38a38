"""Memory and CPU time of the app's process tree (the `reflex run` process, Granian, workers).

Sampled from /proc in a background thread, so nothing is needed beyond Linux. RSS counts the
pages forked workers share with their parent once per process, which overstates a multi-worker
server; PSS splits each shared page among its sharers and adds up to what the tree really
holds. Both are reported; the target is judged on PSS and RSS is shown beside it.

CPU time of the tree per request is the number that stays meaningful on a busy machine: wall
times there include waiting for a core, CPU time does not.
"""

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class MemoryPeak:
    rss_mb: float = 0.0
    pss_mb: float = 0.0
    samples: int = 0
    processes: dict[str, float] = field(default_factory=dict)
    """RSS in MB of each process at the RSS peak, keyed 'pid name'."""


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def tree_cpu_seconds(root: int) -> float:
    """User plus system CPU time of every live process under `root` (and of `root`)."""
    total = 0
    for pid in _tree(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / TICKS


def postgres_cpu_seconds(database: str) -> float:
    """CPU time of the PostgreSQL backends serving `database` on this machine (their process
    titles read 'postgres: USER DATABASE HOST(PORT) STATE'); 0 when the server is elsewhere."""
    total = 0
    marker = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            if not title.startswith(b"postgres: ") or marker not in title:
                continue
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine spent busy (not idle or waiting for I/O) so far."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS


def _sample(pid: int) -> tuple[float, float, str]:
    """RSS and PSS in MB and a short name of one process."""
    base = Path(f"/proc/{pid}")
    rss = int((base / "statm").read_text().split()[1]) * PAGE / 2**20
    pss = 0.0
    for line in (base / "smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1]) / 1024
            break
    words = (base / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
    name = " ".join(Path(w).name if i == 0 else w for i, w in enumerate(words[:3]))
    return rss, pss, name


class MemorySampler(threading.Thread):
    """Samples the tree under `root` every `interval` seconds until `stop()`."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak = MemoryPeak()
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.interval):
            rss_total = pss_total = 0.0
            per_process = {}
            for pid in _tree(self.root):
                try:
                    rss, pss, name = _sample(pid)
                except OSError:  # the process ended between listing and reading
                    continue
                rss_total += rss
                pss_total += pss
                per_process[f"{pid} {name}"] = round(rss, 1)
            self.peak.samples += 1
            self.peak.pss_mb = max(self.peak.pss_mb, round(pss_total, 1))
            if rss_total > self.peak.rss_mb:
                self.peak.rss_mb = round(rss_total, 1)
                self.peak.processes = per_process

    def stop(self) -> MemoryPeak:
        self._stopped.set()
        self.join()
        return self.peak
