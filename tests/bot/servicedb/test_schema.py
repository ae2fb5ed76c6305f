"""The whole schema: every feature's tables on the one shared base."""

from __future__ import annotations

from bot.servicedb.schema import Base


def test_the_schema_holds_every_features_tables() -> None:
    assert set(Base.metadata.tables) == {
        "departments",
        "staff_tokens",
        "appeals",
        "appeal_events",
        "daily_counters",
        "personal_data_reads",
        "handoffs",
    }
