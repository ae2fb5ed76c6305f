"""`python -m tools.loadbench`: its options become the durations and levels measured.

The run itself (tools.load.benchmark.measure) is replaced: it takes minutes and the CPU.
"""

from __future__ import annotations

from typing import Any

import pytest

from tools import loadbench
from tools.load.levels import Level


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list[Level]]]:
    calls: list[tuple[int, list[Level]]] = []

    def measure(duration_s: int, levels: list[Level]) -> dict[str, Any]:
        calls.append((duration_s, levels))
        return {}

    monkeypatch.setattr(loadbench, "measure", measure)
    return calls


def test_defaults_are_four_levels_and_saturation_of_30_s(
    measured: list[tuple[int, list[Level]]],
) -> None:
    assert loadbench.main([]) == 0
    assert measured == [
        (
            30,
            [Level(1, 1.0), Level(10, 1.0), Level(20, 1.0), Level(50, 1.0), Level(20, 0.0)],
        )
    ]


def test_quick_levels_and_no_saturation(measured: list[tuple[int, list[Level]]]) -> None:
    loadbench.main(["--quick", "--levels", "2,5", "--saturation-users", "0"])
    loadbench.main(["--quick", "--duration", "12", "--saturation-users", "7"])
    assert measured == [
        (8, [Level(2, 1.0), Level(5, 1.0)]),
        (12, [Level(1, 1.0), Level(10, 1.0), Level(20, 1.0), Level(50, 1.0), Level(7, 0.0)]),
    ]


def test_bad_levels_are_refused(measured: list[tuple[int, list[Level]]]) -> None:
    with pytest.raises(SystemExit):
        loadbench.main(["--levels", "0,10"])
    assert measured == []
