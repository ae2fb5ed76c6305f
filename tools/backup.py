"""Back up and restore the appeal database (`make backup`, `make restore FILE=...`).

SQLite: sqlite3's online backup API copies one consistent snapshot even while the service
writes (WAL mode), and a restore copies it back into the target file the same way.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner``; the
password reaches them in PGPASSWORD, never on the command line.

Backups hold personal data (names, phone numbers), so their files are created with mode 0600.
A restore refuses a target that already holds appeals unless ``--force``, then runs the
Alembic migrations to head (an older backup comes up to the current schema) and prints how
many appeals and appeal events the restored database holds. Stop the service first.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.appeals.service.models import Appeal, AppealEvent
from bot.servicedb.db import alembic_config, migrate
from bot.servicedb.schema import Base
from bot.settings import PROJECT_ROOT, get_settings

BACKUP_DIR = PROJECT_ROOT / "var" / "backups"
# File name suffix of each kind of backup; the kind itself is read from the file's first bytes.
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL (pg_dump)"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SQLITE_BUSY_TIMEOUT_S = 30.0
# libpq options a DATABASE_URL may carry in its query string, and the variables that set them
# for pg_dump and pg_restore. Any other option is refused rather than silently dropped.
LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "gssencmode": "PGGSSENCMODE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
}


class Refused(Exception):
    """The command would be unsafe or does not apply; nothing was changed (exit 2)."""


class BackupFailed(Exception):
    """A tool or a check failed (exit 1)."""


@dataclass(frozen=True)
class Restored:
    """What a restored database holds, counted after the migrations ran."""

    appeals: int
    events: int
    revision: str


# -- databases and files ------------------------------------------------------------------


def database_kind(url: str) -> str:
    """Return "sqlite" or "postgresql" for ``url``; refuse any other database."""
    backend = str(make_url(url).get_backend_name())
    if backend not in SUFFIXES:
        raise Refused(f"cannot back up a {backend} database (SQLite and PostgreSQL only)")
    return backend


def shown(url: str) -> str:
    """Return ``url`` fit to print: the password masked."""
    return str(make_url(url).render_as_string(hide_password=True))


def sqlite_path(url: str) -> Path:
    """Return the file of a SQLite ``url``; refuse an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise Refused(f"{shown(url)} is not a SQLite database file")
    return Path(database)


def backup_kind(path: Path) -> str | None:
    """Return the kind of database the backup at ``path`` is for, or None if it is neither."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (its directory 0700 when new); refuse if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        raise Refused(f"{path} already exists; not overwriting it") from None
    os.close(descriptor)
    os.chmod(path, PRIVATE_FILE)


def _read_only(path: Path) -> sqlite3.Connection:
    """Open the SQLite file at ``path`` read-only (never creating it)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)


def _quick_check(connection: sqlite3.Connection, path: Path) -> None:
    """Raise BackupFailed unless SQLite's quick_check finds ``path`` sound."""
    found = [row[0] for row in connection.execute("PRAGMA quick_check")]
    if found != ["ok"]:
        raise BackupFailed(f"{path} is damaged: {'; '.join(map(str, found[:5]))}")


def pg_tool(name: str) -> Path:
    """Find pg_dump or pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return Path(found)

    def version(path: str) -> tuple[int, ...]:
        number = Path(path).parent.parent.name
        return tuple(int(part) for part in number.split(".") if part.isdigit())

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return Path(candidates[-1])
    raise BackupFailed(f"{name} not found: install the PostgreSQL client (postgresql-client)")


def pg_command(tool: str, url: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """Return the command line and environment to run ``tool`` against ``url``.

    The password goes into PGPASSWORD, never into the command line (which other users of the
    machine can read); libpq options from the URL's query string go into their variables.
    """
    parsed = make_url(url)
    env = dict(os.environ)
    for key, value in parsed.query.items():
        variable = LIBPQ_ENV.get(key)
        if variable is None:
            raise Refused(f"DATABASE_URL option {key!r} cannot be passed on to {tool}")
        env[variable] = value if isinstance(value, str) else value[-1]
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    argv = [str(pg_tool(tool)), "--no-password"]
    if parsed.host:
        argv += ["--host", parsed.host]
    if parsed.port:
        argv += ["--port", str(parsed.port)]
    if parsed.username:
        argv += ["--username", parsed.username]
    if not parsed.database:
        raise Refused(f"{shown(url)} names no database")
    argv += [*args, "--dbname", parsed.database]
    return argv, env


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL tool; return its output or raise BackupFailed with its error."""
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        error = result.stderr.strip() or result.stdout.strip()
        raise BackupFailed(f"{Path(argv[0]).name} failed (exit {result.returncode}): {error}")
    return result.stdout


# -- backup -------------------------------------------------------------------------------


def default_output(kind: str, now: datetime | None = None) -> Path:
    """Return var/backups/appeals-<UTC timestamp>.<sqlite|dump>."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return BACKUP_DIR / f"appeals-{moment:%Y%m%dT%H%M%SZ}{SUFFIXES[kind]}"


def backup(url: str, out: Path | None = None) -> Path:
    """Back up the database at ``url`` into ``out`` (default: var/backups/); return the file."""
    kind = database_kind(url)
    source = sqlite_path(url) if kind == "sqlite" else None
    if source is not None and not source.is_file():
        raise Refused(f"there is no SQLite database at {source}")
    target = out or default_output(kind)
    create_private(target)
    try:
        if source is not None:
            _backup_sqlite(source, target)
        else:
            argv, env = pg_command("pg_dump", url, "--format=custom", f"--file={target}")
            _run(argv, env)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    os.chmod(target, PRIVATE_FILE)
    return target


def _backup_sqlite(source: Path, target: Path) -> None:
    """Copy ``source`` into the empty file ``target`` with the online backup API."""
    with closing(_read_only(source)) as live, closing(sqlite3.connect(target)) as copy:
        # All pages in one step: one read transaction, so one snapshot, while writers go on.
        live.backup(copy)
        # The copy carries the live file's WAL flag; make it one self-contained file.
        copy.execute("PRAGMA journal_mode=DELETE")
        _quick_check(copy, target)


# -- restore ------------------------------------------------------------------------------


def held_appeals(url: str) -> int:
    """Return how many appeals the database at ``url`` holds (0 without an appeals table)."""
    if database_kind(url) == "sqlite":
        path = sqlite_path(url)
        if not path.exists():
            return 0
        try:
            with closing(_read_only(path)) as connection:
                table = connection.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'appeals'"
                ).fetchone()
                if table is None:
                    return 0
                return int(connection.execute("SELECT count(*) FROM appeals").fetchone()[0])
        except sqlite3.DatabaseError as error:
            raise Refused(f"{path} is not a SQLite database ({error}); not touching it") from None
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("appeals"):
                return 0
            return int(connection.scalar(select(func.count()).select_from(Appeal.__table__)))
    except SQLAlchemyError as error:
        raise BackupFailed(f"cannot read {shown(url)}: {error}") from None
    finally:
        engine.dispose()


def restore(path: Path, url: str, *, force: bool = False) -> Restored:
    """Restore the backup at ``path`` into the database at ``url`` and migrate it to head.

    Refuses a backup of the other kind of database and, unless ``force``, a target that
    already holds appeals.
    """
    if not path.is_file():
        raise Refused(f"there is no backup at {path}")
    target = database_kind(url)
    kind = backup_kind(path)
    if kind is None:
        raise Refused(f"{path} is not a backup (neither a SQLite database nor a pg_dump archive)")
    if kind != target:
        raise Refused(
            f"{path} is a {KIND_NAMES[kind]} backup; the target {shown(url)} is "
            f"{KIND_NAMES[target]}"
        )
    held = held_appeals(url)
    if held and not force:
        raise Refused(
            f"{shown(url)} already holds {held} appeals, which the restore would replace; "
            "to overwrite them anyway use --force (make restore FILE=... FORCE=1)"
        )
    if target == "sqlite":
        _restore_sqlite(path, sqlite_path(url))
    else:
        _restore_postgres(path, url)
    migrate(url)
    return restored_contents(url)


def _restore_sqlite(backup_file: Path, target: Path) -> None:
    """Copy ``backup_file`` over ``target`` with the online backup API (which takes the locks)."""
    with closing(_read_only(backup_file)) as source:
        _quick_check(source, backup_file)
        if not target.exists():
            create_private(target)
        with closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_S)) as live:
            source.backup(live)


def _restore_postgres(backup_file: Path, url: str) -> None:
    """Replace the application's tables at ``url`` with those of the archive ``backup_file``."""
    _run([str(pg_tool("pg_restore")), "--list", str(backup_file)])  # a readable archive?
    # Tables the archive may not have (a newer schema migrated into the target) would make the
    # migrations to head fail afterwards, so the application's tables go first.
    engine = create_engine(url, future=True)
    try:
        with engine.begin() as connection:
            Base.metadata.drop_all(connection, checkfirst=True)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
    argv, env = pg_command(
        "pg_restore",
        url,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
    )
    _run([*argv, str(backup_file)], env)


def restored_contents(url: str) -> Restored:
    """Count appeals and events at ``url``; fail unless its schema is at the Alembic head."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            appeals = connection.scalar(select(func.count()).select_from(Appeal.__table__))
            events = connection.scalar(select(func.count()).select_from(AppealEvent.__table__))
    finally:
        engine.dispose()
    if revision is None or revision != head:
        raise BackupFailed(f"the restored schema is at {revision}, not at the head {head}")
    return Restored(appeals=int(appeals), events=int(events), revision=revision)


# -- command line -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    parser = argparse.ArgumentParser(
        prog="python -m tools.backup",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", parents=[common], help="back up the appeal database")
    make.add_argument("--out", type=Path, default=None, help="default: var/backups/appeals-…")
    back = sub.add_parser("restore", parents=[common], help="restore a backup")
    back.add_argument("file", type=Path, help="a backup made by the backup command")
    back.add_argument(
        "--force", action="store_true", help="overwrite a target that already holds appeals"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit 2 when refused, 1 when a tool or a check failed."""
    args = _parser().parse_args(argv)
    url = args.database_url or get_settings().database_url
    try:
        if args.command == "backup":
            print(backup(url, args.out))
        else:
            restored = restore(args.file, url, force=args.force)
            print(
                f"restored {args.file} into {shown(url)}: {restored.appeals} appeals, "
                f"{restored.events} appeal events, schema at {restored.revision} (head)"
            )
    except Refused as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    except BackupFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
