from __future__ import annotations

from bot.appeals.service.intake import normalise_body
from tools.appeal_bench import appeal_body


def test_the_benchmark_files_appeals_the_service_accepts() -> None:
    bodies = [normalise_body(appeal_body(i)) for i in (0, 1)]
    assert bodies[0]["description"] != bodies[1]["description"]
    assert bodies[0]["phone"] == "+8613812345678"
