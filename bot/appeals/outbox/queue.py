"""The outbox's durable queue: appeals waiting for the service, one row each in SQLite.

Every call opens its own short-lived connection, so one instance may be shared by any number
of threads, and several instances (in several processes) may share the file. Rows are keyed
by the appeal's ``Idempotency-Key`` (one row per key) and carry a provisional reference.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from bot.appeals.outbox.references import new_reference

Status = Literal["pending", "delivered", "rejected"]

DEFAULT_BASE_DELAY_S = 5.0
DEFAULT_MAX_DELAY_S = 300.0
DEFAULT_BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS appeal_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at REAL NOT NULL,
    delivered_at REAL,
    tracking_no TEXT,
    response TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'rejected'))
);
CREATE INDEX IF NOT EXISTS appeal_outbox_due ON appeal_outbox (status, next_attempt_at);
"""

_ENTRY_COLUMNS = (
    "reference, idempotency_key, status, created_at, attempts, last_error, "
    "next_attempt_at, delivered_at, tracking_no, response"
)

_MAX_REFERENCE_DRAWS = 20


@dataclass(frozen=True)
class OutboxEntry:
    """One stored appeal as :meth:`OutboxQueue.lookup` shows it (without the body)."""

    reference: str
    idempotency_key: str
    status: Status
    created_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    delivered_at: datetime | None
    tracking_no: str | None
    response: dict[str, Any] | None


@dataclass(frozen=True)
class DueRow:
    """A pending row whose next attempt is due, as a deliverer needs it (with the body)."""

    row_id: int
    reference: str
    idempotency_key: str
    body: dict[str, Any]
    attempts: int
    next_attempt_at: float


def retry_delay(
    attempts: int,
    base_s: float = DEFAULT_BASE_DELAY_S,
    max_s: float = DEFAULT_MAX_DELAY_S,
) -> float:
    """Return the wait after ``attempts`` failed attempts: base, 2×base, 4×base … capped."""
    exponent = min(max(attempts, 1) - 1, 32)
    return float(min(base_s * (2**exponent), max_s))


def epoch(now: datetime | None) -> float:
    """Return ``now`` (default: the current time) in seconds since the epoch."""
    if now is None:
        return time.time()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)  # naive datetimes are read as UTC
    return now.timestamp()


def _datetime(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=timezone.utc)


class OutboxQueue:
    """Appeals waiting for the service, kept in a SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        base_delay_s: float = DEFAULT_BASE_DELAY_S,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self.path = Path(path)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.busy_timeout_s = busy_timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    # -- storage helpers -------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: autocommit; multi-statement writes use BEGIN IMMEDIATE so
        # that they take the write lock up front (and wait for it with the busy timeout).
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _execute(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run one autocommitted statement; return the number of rows it changed."""
        with self._connection() as conn:
            return conn.execute(sql, params).rowcount

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> OutboxEntry:
        (reference, key, status, created, attempts, error, next_at, delivered, tracking, resp) = row
        return OutboxEntry(
            reference=reference,
            idempotency_key=key,
            status=status,
            created_at=_datetime(created),
            attempts=attempts,
            last_error=error,
            next_attempt_at=_datetime(next_at),
            delivered_at=None if delivered is None else _datetime(delivered),
            tracking_no=tracking,
            response=None if resp is None else json.loads(resp),
        )

    # -- writing ---------------------------------------------------------------------------

    def enqueue(self, key: str, body: Mapping[str, Any], error: str) -> OutboxEntry:
        """Store the appeal after a failed first attempt, or return the row already stored."""
        body_json = json.dumps(dict(body), ensure_ascii=False)
        now = time.time()
        for _ in range(_MAX_REFERENCE_DRAWS):
            reference = new_reference()
            try:
                with self._transaction() as conn:
                    row = conn.execute(
                        f"SELECT {_ENTRY_COLUMNS} FROM appeal_outbox WHERE idempotency_key = ?",
                        (key,),
                    ).fetchone()
                    if row is not None:
                        # One row per key. The stored body stays: the service would refuse
                        # another body under the same key anyway.
                        return self._entry(row)
                    conn.execute(
                        "INSERT INTO appeal_outbox (reference, idempotency_key, body, created_at,"
                        " attempts, last_error, next_attempt_at, status)"
                        " VALUES (?, ?, ?, ?, 1, ?, ?, 'pending')",
                        (
                            reference,
                            key,
                            body_json,
                            now,
                            error,
                            now + retry_delay(1, self.base_delay_s, self.max_delay_s),
                        ),
                    )
                    row = conn.execute(
                        f"SELECT {_ENTRY_COLUMNS} FROM appeal_outbox WHERE idempotency_key = ?",
                        (key,),
                    ).fetchone()
                    return self._entry(row)
            except sqlite3.IntegrityError:
                # The random reference collided with a stored one (the key cannot have: it
                # was checked inside the same write transaction). Draw another.
                continue
        raise RuntimeError("could not draw an unused provisional reference")

    def mark_delivered(self, key: str, response: dict[str, Any], now: float) -> bool:
        """Record the service's answer for a pending row; False if none was pending."""
        changed = self._execute(
            "UPDATE appeal_outbox SET status = 'delivered', delivered_at = ?, tracking_no = ?,"
            " response = ?, last_error = NULL WHERE idempotency_key = ? AND status = 'pending'",
            (now, response.get("tracking_no"), json.dumps(response, ensure_ascii=False), key),
        )
        return changed == 1

    def claim(self, row: DueRow, until: float) -> bool:
        """Take a due row for one delivery attempt; False if another deliverer took it.

        Only the deliverer whose UPDATE still sees the old ``next_attempt_at`` wins. The row
        becomes due again at ``until`` (the lease) if the winner crashes.
        """
        claimed = self._execute(
            "UPDATE appeal_outbox SET next_attempt_at = ?"
            " WHERE id = ? AND status = 'pending' AND next_attempt_at = ?",
            (until, row.row_id, row.next_attempt_at),
        )
        return claimed == 1

    def mark_rejected(self, row_id: int, error: str) -> None:
        """Stop sending a row the service refused; a person must look at it."""
        self._execute(
            "UPDATE appeal_outbox SET status = 'rejected', attempts = attempts + 1,"
            " last_error = ? WHERE id = ? AND status = 'pending'",
            (error, row_id),
        )

    def reschedule(self, row_id: int, attempts: int, error: str, at: float) -> None:
        """Record a failed attempt and when to try the row again."""
        self._execute(
            "UPDATE appeal_outbox SET attempts = ?, last_error = ?, next_attempt_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (attempts, error, at, row_id),
        )

    # -- reading ---------------------------------------------------------------------------

    def due(self, now: float, limit: int = 100) -> list[DueRow]:
        """Return the pending rows due at ``now``, the longest due first (at most ``limit``)."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT id, reference, idempotency_key, body, attempts, next_attempt_at"
                " FROM appeal_outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
        return [
            DueRow(row_id, reference, key, json.loads(body), attempts, next_at)
            for row_id, reference, key, body, attempts, next_at in rows
        ]

    def entry_by_key(self, key: str) -> OutboxEntry | None:
        """Return the stored appeal with this Idempotency-Key, or None."""
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM appeal_outbox WHERE idempotency_key = ?", (key,)
            ).fetchone()
        return None if row is None else self._entry(row)

    def lookup(self, reference: str) -> OutboxEntry | None:
        """Return the stored appeal with this provisional reference, or None."""
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM appeal_outbox WHERE reference = ?",
                (reference.strip().upper(),),
            ).fetchone()
        return None if row is None else self._entry(row)

    def pending_count(self) -> int:
        """Return how many appeals still wait for delivery."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM appeal_outbox WHERE status = 'pending'"
            ).fetchone()
        return int(row[0])
