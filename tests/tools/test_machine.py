from __future__ import annotations

import os

from tools.machine import machine


def test_describes_the_processor_cores_and_memory() -> None:
    described = machine()
    assert set(described) == {"cpu", "cores", "memory_gib"}
    assert described["cpu"]
    assert described["cores"] == os.cpu_count()
    assert described["memory_gib"] > 0
