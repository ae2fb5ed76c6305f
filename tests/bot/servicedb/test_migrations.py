from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot.servicedb.db import migrate
from bot.servicedb.schema import Base


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    url = database_url
    migrate(url)
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_a_populated_database_is_migrated_without_loss(database_url: str) -> None:
    url = database_url
    migrate(url, "0001")
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO departments VALUES ('qjw', '区经委', 'triage')"))
        connection.execute(
            text(
                "INSERT INTO appeals (id, tracking_no, idempotency_key, request_hash, status,"
                " supervised, channel, category, complexity, town, enterprise_name, credit_code,"
                " contact_name, phone, description, proposed_department, received_at,"
                " contact_due_at, due_at, response_json) VALUES (1, 'JD-20260310-0001', 'k1',"
                " 'h', 'received', false, 'chat', 'other', 'complex', '安亭镇', '某公司',"
                " '91310114MA1GY5BM3N', '王', '+8613812345678', '路灯坏了很久了没人修',"
                " 'qjw', '2026-03-10 01:00:00', '2026-03-10 15:59:59', '2026-03-30 15:59:59',"
                " '{}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO appeal_events (appeal_id, at, actor, action, from_status,"
                " to_status, note) VALUES (1, '2026-03-10 01:00:00', 'chat', 'receive', NULL,"
                " 'received', '')"
            )
        )
    migrate(url)
    indexes = {i["name"] for i in inspect(engine).get_indexes("appeals")}
    assert "ix_appeals_due_at" in indexes
    with engine.connect() as connection:
        assert connection.execute(text("SELECT tracking_no, phone FROM appeals")).all() == [
            ("JD-20260310-0001", "+8613812345678")
        ]
        assert connection.execute(text("SELECT count(*) FROM appeal_events")).scalar() == 1
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0004"
    assert "handoffs" in inspect(engine).get_table_names()
