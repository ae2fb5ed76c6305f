"""CPU and resident memory of process trees, measured on this test process."""

from __future__ import annotations

import os
import time

from tools.load import meter


def test_cpu_percent_is_of_one_core() -> None:
    assert meter.cpu_percent(3.0, 10.0) == 30.0
    assert meter.cpu_percent(15.0, 10.0) == 150.0  # more than one core
    assert meter.cpu_percent(1.0, 0.0) == 0.0


def test_the_meter_measures_this_process() -> None:
    # No server: the test process itself is the tree measured.
    process_meter = meter.ProcessMeter({"me": os.getpid()})
    process_meter.start()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    wall, figures = process_meter.stop()
    assert wall > 0.25
    assert 5 < figures["me"]["cpu_pct"] <= 100 * (os.cpu_count() or 1)
    assert figures["me"]["rss_mib"] > 10


def test_resident_memory_of_named_trees_and_their_total() -> None:
    rss = meter.rss_mib({"me": os.getpid(), "gone": 2**22 + 1})  # above Linux's pid_max
    assert rss["me"] > 10
    assert rss["gone"] == 0.0
    assert rss["total"] == rss["me"]
    assert meter.tree_rss(os.getpid()) > 10 * meter.MIB
