"""The appeal tables: the event log is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.appeals.service.backend import Backend
from bot.appeals.service.models import AppealEvent
from tests.bot.appeals.service.conftest import file


def test_the_event_log_is_append_only(backend: Backend) -> None:
    file(backend)
    with backend.appeals.factory() as session, session.begin():
        event = session.scalars(select(AppealEvent)).first()
        assert event is not None
        event.note = "改写历史"
        with pytest.raises(RuntimeError, match="append-only"):
            session.flush()
