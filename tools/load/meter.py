"""CPU use and resident memory of process trees (a process and its children), via psutil.

The load benchmark, the memory run (tools/memsoak.py) and the soak (tools/soak.py) measure
the bots' processes with these.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import suppress

import psutil

SAMPLE_INTERVAL_S = 0.5
MIB = 2**20


def cpu_percent(cpu_s: float, wall_s: float) -> float:
    """Return CPU time over wall time in percent of one core (200% = both of 2 cores)."""
    return round(100 * cpu_s / wall_s, 1) if wall_s > 0 else 0.0


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_by_process(pid: int) -> dict[tuple[int, float], float]:
    times: dict[tuple[int, float], float] = {}
    for proc in _tree(pid):
        with suppress(psutil.NoSuchProcess):
            t = proc.cpu_times()
            times[(proc.pid, proc.create_time())] = float(t.user + t.system)
    return times


def tree_rss(pid: int) -> int:
    """Return the resident memory (bytes) of a process and its children."""
    total = 0
    for proc in _tree(pid):
        with suppress(psutil.NoSuchProcess):
            total += int(proc.memory_info().rss)
    return total


def rss_mib(pids: Mapping[str, int]) -> dict[str, float]:
    """Return the resident memory (MiB) of each process tree and their total."""
    sizes = {name: round(tree_rss(pid) / MIB, 1) for name, pid in pids.items()}
    return {**sizes, "total": round(sum(sizes.values()), 1)}


class ProcessMeter:
    """CPU use and peak resident memory of named process trees over a window of time."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self.pids = dict(pids)
        self._cpu: dict[str, dict[tuple[int, float], float]] = {}
        self._peak: dict[str, int] = {}
        self._started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Open the window: note CPU times, sample memory until :meth:`stop`."""
        self._cpu = {name: _cpu_by_process(pid) for name, pid in self.pids.items()}
        self._peak = dict.fromkeys(self.pids, 0)
        self._started = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self._peak[name] = max(self._peak[name], tree_rss(pid))
            if self._stop.wait(SAMPLE_INTERVAL_S):
                return

    def stop(self) -> tuple[float, dict[str, dict[str, float]]]:
        """Close the window; return its length and each tree's CPU % and peak RSS (MiB)."""
        wall = time.monotonic() - self._started
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        figures = {}
        for name, pid in self.pids.items():
            before = self._cpu.get(name, {})
            after = _cpu_by_process(pid)
            used = sum(t - before.get(key, 0.0) for key, t in after.items())
            figures[name] = {
                "cpu_pct": cpu_percent(used, wall),
                "rss_mib": round(self._peak[name] / MIB, 1),
            }
        return wall, figures
