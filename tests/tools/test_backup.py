"""make backup / make restore: back up, restore into an empty database, find everything."""

from __future__ import annotations

import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select

from bot.appeals.service.backend import Backend, open_backend
from bot.appeals.service.models import Appeal, AppealEvent, DailyCounter
from bot.servicedb.db import alembic_config, migrate
from bot.servicedb.models import StaffToken
from bot.servicedb.schema import Base
from bot.servicedb.tokens import Actor
from bot.settings import get_settings
from tests.bot.appeals.service.conftest import FakeClock, body
from tests.support.postgres import PostgresServer
from tools import backup as tool

JW, BUILD = Actor("qjw"), Actor("construction")
TABLES = (Appeal, AppealEvent, DailyCounter, StaffToken)


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second, empty database of the same kind (a file not yet created on SQLite)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'appeals.db'}"
    server: PostgresServer = request.getfixturevalue("pg")
    return server.database()


def set_up_by_the_service(url: str, clock: FakeClock | None = None) -> Backend:
    """Open the backend on ``url`` as the service would (migrated, departments synced)."""
    if url.startswith("sqlite"):
        tool.sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    return open_backend(url, clock=clock or FakeClock())


def populate(url: str, *, run_migrations: bool = True) -> list[str]:
    """File three appeals with the real service, move two of them on; return their numbers."""
    clock = FakeClock()
    backend = open_backend(url, run_migrations=run_migrations, clock=clock)
    try:
        numbers = []
        for i, changes in enumerate(
            (
                {},
                {"town": "南翔镇", "category": "tax", "phone": "+8613900001111"},
                {"enterprise_name": "上海某某科技有限公司", "channel": "web"},
            )
        ):
            response, created = backend.appeals.create(f"backup-key-{i:04d}", body(**changes))
            assert created
            numbers.append(str(response["tracking_no"]))
            clock.advance(minutes=7)
        backend.appeals.act(JW, numbers[0], "triage", lead_department="construction")
        backend.appeals.act(JW, numbers[0], "dispatch")
        backend.appeals.act(BUILD, numbers[0], "accept")
        backend.appeals.act(BUILD, numbers[0], "reply", reply="已联系供电所，路灯本周修复。")
        backend.appeals.act(JW, numbers[1], "triage", note="转区税务局")
        backend.tokens.create("tax", "李四")
        return numbers
    finally:
        backend.engine.dispose()


def rows(url: str, tables: tuple[Any, ...] = TABLES) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``tables`` at ``url``, in primary-key order."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return {
                model.__tablename__: [
                    dict(row._mapping)
                    for row in connection.execute(
                        select(model.__table__).order_by(model.__table__.c.id)
                    )
                ]
                for model in tables
            }
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    engine = create_engine(url, future=True)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def assert_schema_at_head(url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == head
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = tool.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_restore_into_an_empty_database_finds_every_appeal_and_event(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = populate(database_url)
    before = rows(database_url)
    assert len(before["appeals"]) == 3 and len(before["appeal_events"]) == 3 + 5

    out = tmp_path / "backups" / "appeals.bak"
    code, printed, _ = run(capsys, "backup", "--database-url", database_url, "--out", str(out))
    assert code == 0 and printed.strip() == str(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    code, printed, err = run(capsys, "restore", str(out), "--database-url", empty_url)
    assert code == 0, err
    assert "3 appeals, 8 appeal events" in printed

    after = rows(empty_url)
    assert after == before
    if empty_url.startswith("sqlite"):
        assert stat.S_IMODE(tool.sqlite_path(empty_url).stat().st_mode) == 0o600
    assert [a["tracking_no"] for a in after["appeals"]] == numbers
    assert_schema_at_head(empty_url)
    # The restored database works: counters (and PostgreSQL sequences) carry on.
    backend = open_backend(empty_url, clock=FakeClock())
    try:
        response, created = backend.appeals.create("after-restore", body())
        assert created and response["tracking_no"] == "JD-20260310-0004"
        shown = backend.appeals.staff_view(JW, numbers[0])
        assert shown["status"] == "replied"
        assert [e["action"] for e in shown["events"]] == [
            "receive",
            "triage",
            "dispatch",
            "accept",
            "reply",
        ]
    finally:
        backend.engine.dispose()


def test_restoring_over_appeals_is_refused_unless_forced(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(database_url)
    out = tmp_path / "appeals.bak"
    assert run(capsys, "backup", "--database-url", database_url, "--out", str(out))[0] == 0
    # The target holds appeals of its own (filed on another day), which the restore would lose.
    clock = FakeClock()
    clock.advance(days=1)
    backend = set_up_by_the_service(empty_url, clock)
    try:
        backend.appeals.create("target-key", body(description="目标库里原有的一条诉求，不能丢"))
    finally:
        backend.engine.dispose()
    held = rows(empty_url)

    code, printed, err = run(capsys, "restore", str(out), "--database-url", empty_url)
    assert code == 2 and printed == ""
    assert "already holds 1 appeals" in err and "--force" in err
    assert rows(empty_url) == held

    code, printed, _ = run(capsys, "restore", str(out), "--database-url", empty_url, "--force")
    assert code == 0 and "3 appeals, 8 appeal events" in printed
    assert rows(empty_url) == rows(database_url)
    assert_schema_at_head(empty_url)


def test_a_backup_of_the_other_kind_or_no_backup_is_refused(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.bak"
    if database_url.startswith("sqlite"):
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))  # a pg_dump custom archive
        expected = "is a PostgreSQL (pg_dump) backup"
    else:
        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE appeals (id INTEGER)")
        expected = "is a SQLite backup"
    code, _, err = run(capsys, "restore", str(other), "--database-url", empty_url, "--force")
    assert code == 2 and expected in err
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    code, _, err = run(capsys, "restore", str(junk), "--database-url", empty_url)
    assert code == 2 and "is not a backup" in err
    code, _, err = run(capsys, "restore", str(tmp_path / "missing"), "--database-url", empty_url)
    assert code == 2 and "there is no backup" in err
    if empty_url.startswith("sqlite"):
        assert not tool.sqlite_path(empty_url).exists()
    else:
        assert table_names(empty_url) == []


def test_an_older_backup_is_migrated_to_the_current_schema(
    database_url: str, empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Filled by today's service, then taken back to 0002 (before the handoffs and the
    # personal-data reads tables): today's code writes tables an old schema lacks.
    numbers = populate(database_url)
    command.downgrade(alembic_config(database_url), "0002")
    before = rows(database_url)
    out = tmp_path / "old.bak"
    assert run(capsys, "backup", "--database-url", database_url, "--out", str(out))[0] == 0
    # The target was already set up by the service (schema at head, no appeals): allowed.
    set_up_by_the_service(empty_url).engine.dispose()

    code, printed, err = run(capsys, "restore", str(out), "--database-url", empty_url)
    assert code == 0, err
    assert "3 appeals, 8 appeal events" in printed
    assert rows(empty_url) == before
    assert [a["tracking_no"] for a in before["appeals"]] == numbers
    assert "handoffs" in table_names(empty_url)
    assert_schema_at_head(empty_url)


def test_backup_files_are_private_and_named_by_time(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    populate(database_url)
    monkeypatch.setattr(tool, "BACKUP_DIR", tmp_path / "var" / "backups")
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        code, printed, _ = run(capsys, "backup")
    finally:
        get_settings.cache_clear()
    assert code == 0
    made = Path(printed.strip())
    suffix = "sqlite" if database_url.startswith("sqlite") else "dump"
    assert made.parent == tmp_path / "var" / "backups"
    assert re.fullmatch(rf"appeals-\d{{8}}T\d{{6}}Z\.{suffix}", made.name)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]  # no -wal beside it
    # An existing file is never overwritten.
    code, _, err = run(capsys, "backup", "--database-url", database_url, "--out", str(made))
    assert code == 2 and "already exists" in err


def _writer(url: str, stop: threading.Event, filed: list[str]) -> None:
    backend = open_backend(url, run_migrations=False, clock=FakeClock())
    try:
        i = 0
        while not stop.is_set():
            response, _ = backend.appeals.create(f"writer-{i:05d}", body())
            filed.append(str(response["tracking_no"]))
            i += 1
    finally:
        backend.engine.dispose()


@pytest.fixture
def busy_sqlite(tmp_path: Path) -> Iterator[tuple[str, list[str], threading.Thread]]:
    """A SQLite database that another thread keeps filing appeals into."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    open_backend(url).engine.dispose()
    # Another process (the service) keeps the database open, so the WAL is not folded back
    # into the file each time the writer's connection closes: a plain file copy would miss it.
    keeper = sqlite3.connect(tmp_path / "live.db")
    keeper.execute("SELECT count(*) FROM appeals").fetchone()
    stop, filed = threading.Event(), list[str]()
    writer = threading.Thread(target=_writer, args=(url, stop, filed), daemon=True)
    writer.start()
    try:
        yield url, filed, writer
    finally:
        stop.set()
        writer.join(timeout=30)
        keeper.close()
    assert not writer.is_alive()


def test_a_sqlite_backup_taken_while_writing_is_consistent(
    busy_sqlite: tuple[str, list[str], threading.Thread], tmp_path: Path
) -> None:
    url, filed, writer = busy_sqlite
    sizes = []
    for i in range(5):
        while len(filed) < 10 * (i + 1):
            assert writer.is_alive()
            time.sleep(0.01)
        committed = len(filed)
        copy = tool.backup(url, tmp_path / f"copy-{i}.sqlite")
        with sqlite3.connect(copy) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            numbers = [r[0] for r in connection.execute("SELECT tracking_no FROM appeals")]
            received = connection.execute(
                "SELECT count(*) FROM appeal_events WHERE action = 'receive'"
                " AND appeal_id IN (SELECT id FROM appeals)"
            ).fetchone()[0]
            events = connection.execute("SELECT count(*) FROM appeal_events").fetchone()[0]
            last = connection.execute("SELECT last FROM daily_counters").fetchone()[0]
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        # Whole transactions only: each appeal with its event and its counter step, no gaps.
        assert sorted(numbers) == [f"JD-20260310-{n:04d}" for n in range(1, len(numbers) + 1)]
        assert received == events == last == len(numbers)
        # Everything committed before the copy began is in it (the WAL too, not just the file).
        assert len(numbers) >= committed
        sizes.append(len(numbers))
    assert sizes == sorted(sizes) and sizes[-1] >= 50
    assert len(filed) > sizes[0]  # the writer went on while the copies were taken


def test_the_password_goes_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tool, "pg_tool", lambda name: Path("/usr/bin") / name)
    url = "postgresql+psycopg2://appeals:s3cr%40t@db.example:6543/jiading?sslmode=require"
    argv, env = tool.pg_command("pg_dump", url, "--format=custom", "--file=x.dump")
    assert not any("s3cr" in arg for arg in argv)
    assert env["PGPASSWORD"] == "s3cr@t" and env["PGSSLMODE"] == "require"
    assert argv == [
        "/usr/bin/pg_dump",
        "--no-password",
        "--host",
        "db.example",
        "--port",
        "6543",
        "--username",
        "appeals",
        "--format=custom",
        "--file=x.dump",
        "--dbname",
        "jiading",
    ]
    with pytest.raises(tool.Refused, match="unknown_option"):
        tool.pg_command("pg_dump", "postgresql://u@h/db?unknown_option=1")
    assert "s3cr" not in tool.shown(url)


def test_the_postgresql_tools_are_found_off_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    found = tool.pg_tool("pg_dump")
    assert found.name == "pg_dump" and found.parts[:4] == ("/", "usr", "lib", "postgresql")
