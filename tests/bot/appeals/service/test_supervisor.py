from __future__ import annotations

import time

from bot.appeals.service.backend import Backend
from bot.appeals.service.supervisor import SupervisionJob
from bot.servicedb.tokens import Actor
from tests.bot.appeals.service.conftest import FakeClock, body


def test_the_job_flags_overdue_appeals_in_the_background(
    backend: Backend, clock: FakeClock
) -> None:
    number = backend.appeals.create("job-key-0001", body())[0]["tracking_no"]
    clock.advance(days=40)
    job = SupervisionJob(backend.appeals, interval_s=0.05)
    job.start()
    try:
        deadline = time.monotonic() + 10
        while not backend.appeals.staff_view(Actor("qjw"), number)["supervised"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        job.stop()
    events = backend.appeals.staff_view(Actor("qjw"), number)["events"]
    assert [e["action"] for e in events].count("supervise") == 1  # later passes: nothing to do
