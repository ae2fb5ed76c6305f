"""Durable outbox for enterprise appeals the routing service could not take right away.

The chat's action calls :meth:`Outbox.submit`. It posts the appeal once; when the routing
service is down, too slow or answers 5xx, the appeal is written to a SQLite file on the
action server's host and the user gets a provisional reference (``TMP-XXXXXXXX``) that the
status check accepts. A :class:`DeliveryLoop` thread retries due rows with exponential
backoff; once an appeal is delivered, :meth:`Outbox.lookup` maps the provisional reference
to the real tracking number.

Exactly once: every row keeps the appeal's ``Idempotency-Key`` and every attempt sends it.
The service answers a repeated key and body with the response it stored the first time, so
a request that timed out after the service stored it, or a crash between the POST and the
mark-delivered, only costs one more request that returns the same tracking number. Rows are
*claimed* before they are sent (a conditional UPDATE that only one deliverer can win), so two
threads or processes sharing the file do not send the same row at the same time.

Log lines name the reference, the key and the error only, never the body (it holds the
contact's name and phone number).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import requests

logger = logging.getLogger(__name__)

Status = Literal["pending", "delivered", "rejected"]

#: Upper-case letters and digits without the look-alikes 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "TMP-"
REFERENCE_LENGTH = 8
#: A provisional reference as the status check should recognise it.
REFERENCE_PATTERN = re.compile(rf"{REFERENCE_PREFIX}[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}")

APPEALS_PATH = "/api/appeals"
DEFAULT_BASE_DELAY_S = 5.0
DEFAULT_MAX_DELAY_S = 300.0
DEFAULT_CLAIM_LEASE_S = 60.0
DEFAULT_BUSY_TIMEOUT_S = 10.0
#: 4xx answers that mean "try again later" rather than "this appeal is invalid".
TRANSIENT_CLIENT_ERRORS = frozenset({408, 425, 429})
MAX_ERROR_CHARS = 500

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

# Runs of digits (optionally split by spaces or dashes) long enough to be a phone number.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){6,}")


@dataclass(frozen=True)
class Submission:
    """Return value of :meth:`Outbox.submit`.

    Exactly one of three cases holds: ``delivered`` (``response`` is the service's answer),
    ``rejected`` (the service refused the body; ``error``/``detail`` say why; nothing was
    queued) or neither (queued; ``reference`` is the provisional ``TMP-`` reference).
    """

    delivered: bool
    response: dict[str, Any] | None = None
    reference: str | None = None
    rejected: bool = False
    error: str | None = None
    detail: Any = None
    status_code: int | None = None

    @property
    def queued(self) -> bool:
        """Return whether the appeal waits in the outbox."""
        return not self.delivered and not self.rejected

    @property
    def tracking_no(self) -> str | None:
        """Return the service's tracking number once delivered."""
        if self.response is None:
            return None
        value = self.response.get("tracking_no")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class OutboxEntry:
    """One stored appeal as :meth:`Outbox.lookup` shows it (without the body)."""

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
class _Outcome:
    kind: Literal["delivered", "transient", "rejected"]
    error: str = ""
    response: dict[str, Any] | None = None
    detail: Any = None
    status_code: int | None = None


def retry_delay(
    attempts: int,
    base_s: float = DEFAULT_BASE_DELAY_S,
    max_s: float = DEFAULT_MAX_DELAY_S,
) -> float:
    """Return the wait after ``attempts`` failed attempts: base, 2×base, 4×base … capped."""
    exponent = min(max(attempts, 1) - 1, 32)
    return float(min(base_s * (2**exponent), max_s))


def new_reference() -> str:
    """Return a fresh provisional reference such as ``TMP-7KQ2MXHD``."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return REFERENCE_PREFIX + chars


def is_provisional_reference(text: str) -> bool:
    """Return whether ``text`` is shaped like a provisional outbox reference."""
    return REFERENCE_PATTERN.fullmatch(text.strip().upper()) is not None


def mask_numbers(text: str) -> str:
    """Return ``text`` with long digit runs (phone numbers) masked, for logs."""
    return _LONG_NUMBER.sub("***", text)


def _summarise_detail(detail: Any) -> str:
    """Return a short, log-safe description of a 4xx ``detail``."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, Mapping):
                loc = item.get("loc")
                where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
                # Deliberately leave out "input"/"ctx": they may echo the submitted values.
                parts.append(f"{where}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        text = "; ".join(parts)
    else:
        text = str(detail)
    return mask_numbers(text)[:MAX_ERROR_CHARS]


def _appeals_url(service_url: str) -> str:
    return service_url.rstrip("/") + APPEALS_PATH


def _post(service_url: str, key: str, body: Mapping[str, Any], timeout_s: float) -> _Outcome:
    """POST the appeal once and classify the answer."""
    try:
        answer = requests.post(
            _appeals_url(service_url),
            json=dict(body),
            headers={"Idempotency-Key": key},
            timeout=timeout_s,
        )
    except requests.Timeout:
        return _Outcome("transient", f"timeout after {timeout_s:g} s")
    except requests.RequestException as exc:
        # str(exc) names the URL and the socket error, never the body.
        return _Outcome("transient", mask_numbers(f"{type(exc).__name__}: {exc}")[:MAX_ERROR_CHARS])
    code = answer.status_code
    if 200 <= code < 300:
        try:
            payload = answer.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict) and isinstance(payload.get("tracking_no"), str):
            return _Outcome("delivered", response=payload, status_code=code)
        return _Outcome("transient", f"HTTP {code} without a tracking_no", status_code=code)
    if 400 <= code < 500 and code not in TRANSIENT_CLIENT_ERRORS:
        try:
            payload = answer.json()
            detail = payload.get("detail", payload) if isinstance(payload, dict) else payload
        except ValueError:
            detail = answer.text[:MAX_ERROR_CHARS]
        error = f"HTTP {code}: {_summarise_detail(detail)}"
        return _Outcome("rejected", error, detail=detail, status_code=code)
    return _Outcome("transient", f"HTTP {code}", status_code=code)


def _epoch(now: datetime | None) -> float:
    if now is None:
        return time.time()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)  # naive datetimes are read as UTC
    return now.timestamp()


def _datetime(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=timezone.utc)


class Outbox:
    """Appeals waiting for the routing service, kept in a SQLite file.

    Every call opens its own short-lived connection, so one instance may be shared by any
    number of threads, and several instances (in several processes) may share the file.
    """

    def __init__(
        self,
        path: Path,
        *,
        base_delay_s: float = DEFAULT_BASE_DELAY_S,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
        claim_lease_s: float = DEFAULT_CLAIM_LEASE_S,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self.path = Path(path)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.claim_lease_s = claim_lease_s
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

    def _entry_by_key(self, key: str) -> OutboxEntry | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM appeal_outbox WHERE idempotency_key = ?", (key,)
            ).fetchone()
        return None if row is None else self._entry(row)

    def _enqueue(self, key: str, body: Mapping[str, Any], error: str) -> OutboxEntry:
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

    def _mark_delivered(self, key: str, response: dict[str, Any], now: float) -> bool:
        changed = self._execute(
            "UPDATE appeal_outbox SET status = 'delivered', delivered_at = ?, tracking_no = ?,"
            " response = ?, last_error = NULL WHERE idempotency_key = ? AND status = 'pending'",
            (now, response.get("tracking_no"), json.dumps(response, ensure_ascii=False), key),
        )
        return changed == 1

    # -- public API ------------------------------------------------------------------------

    def submit(
        self,
        service_url: str,
        key: str,
        body: Mapping[str, Any],
        timeout_s: float = 5.0,
    ) -> Submission:
        """Post the appeal once; queue it if the service cannot take it now.

        201 → delivered. Connection error, timeout or 5xx → stored (at most one row per
        ``key``) and a provisional reference returned. Other 4xx (e.g. 422 invalid fields)
        → rejected and not queued: sending the same body again cannot help.
        """
        outcome = _post(service_url, key, body, timeout_s)
        if outcome.kind == "delivered":
            assert outcome.response is not None
            # The appeal may already wait in the outbox from an earlier try with this key.
            self._mark_delivered(key, outcome.response, time.time())
            stored = self._entry_by_key(key)
            return Submission(
                delivered=True,
                response=outcome.response,
                reference=None if stored is None else stored.reference,
                status_code=outcome.status_code,
            )
        if outcome.kind == "rejected":
            logger.warning("Appeal with key %s rejected by the service: %s", key, outcome.error)
            return Submission(
                delivered=False,
                rejected=True,
                error=outcome.error,
                detail=outcome.detail,
                status_code=outcome.status_code,
            )
        entry = self._enqueue(key, body, outcome.error)
        if entry.status == "delivered":
            # Delivered earlier (by the loop) under the same key: the appeal is safe.
            return Submission(delivered=True, response=entry.response, reference=entry.reference)
        if entry.status == "rejected":
            return Submission(
                delivered=False, reference=entry.reference, rejected=True, error=entry.last_error
            )
        logger.warning(
            "Appeal %s (key %s) queued in the outbox: %s", entry.reference, key, outcome.error
        )
        return Submission(
            delivered=False,
            reference=entry.reference,
            error=outcome.error,
            status_code=outcome.status_code,
        )

    def deliver_pending(
        self,
        service_url: str,
        now: datetime | None = None,
        timeout_s: float = 5.0,
        limit: int = 100,
    ) -> int:
        """Send the due pending appeals (at most ``limit``); return how many were delivered."""
        started = _epoch(now)
        lease = max(self.claim_lease_s, 4 * timeout_s)
        with self._connection() as conn:
            due = conn.execute(
                "SELECT id, reference, idempotency_key, body, attempts, next_attempt_at"
                " FROM appeal_outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (started, limit),
            ).fetchall()
        delivered = 0
        for row_id, reference, key, body_json, attempts, old_next in due:
            # Claim: only the deliverer whose UPDATE still sees the old next_attempt_at wins;
            # the others skip the row. The lease makes the row due again if we crash.
            claimed = self._execute(
                "UPDATE appeal_outbox SET next_attempt_at = ?"
                " WHERE id = ? AND status = 'pending' AND next_attempt_at = ?",
                (started + lease, row_id, old_next),
            )
            if claimed != 1:
                continue
            # If we crash after this POST but before recording the result, the row becomes due
            # again after the lease; the retry carries the same Idempotency-Key and the service
            # returns the appeal it already stored — no duplicate.
            outcome = _post(service_url, key, json.loads(body_json), timeout_s)
            if outcome.kind == "delivered":
                assert outcome.response is not None
                if self._mark_delivered(key, outcome.response, time.time()):
                    delivered += 1
                logger.info(
                    "Appeal %s (key %s) delivered as %s",
                    reference,
                    key,
                    outcome.response.get("tracking_no"),
                )
            elif outcome.kind == "rejected":
                self._execute(
                    "UPDATE appeal_outbox SET status = 'rejected', attempts = attempts + 1,"
                    " last_error = ? WHERE id = ? AND status = 'pending'",
                    (outcome.error, row_id),
                )
                logger.error(
                    "Appeal %s (key %s) rejected by the service; a person must look: %s",
                    reference,
                    key,
                    outcome.error,
                )
            else:
                failures = attempts + 1
                delay = retry_delay(failures, self.base_delay_s, self.max_delay_s)
                self._execute(
                    "UPDATE appeal_outbox SET attempts = ?, last_error = ?, next_attempt_at = ?"
                    " WHERE id = ? AND status = 'pending'",
                    (failures, outcome.error, started + delay, row_id),
                )
                logger.warning(
                    "Appeal %s (key %s) not delivered (attempt %d), retry in %g s: %s",
                    reference,
                    key,
                    failures,
                    delay,
                    outcome.error,
                )
        return delivered

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


class DeliveryLoop:
    """Daemon thread that calls :meth:`Outbox.deliver_pending` every ``interval_s``."""

    def __init__(
        self,
        outbox: Outbox,
        service_url: str,
        interval_s: float = 5.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.outbox = outbox
        self.service_url = service_url
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Return whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (no-op if it already runs)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="appeal-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the thread to finish and wait for it (a pass in progress ends first)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def wake(self) -> None:
        """Run a pass now instead of at the end of the interval."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            # Clear before the pass: a wake() during the pass makes the next wait return
            # at once instead of being lost.
            self._wake.clear()
            try:
                self.outbox.deliver_pending(self.service_url, timeout_s=self.timeout_s)
            except Exception:
                logger.exception("Outbox delivery pass failed; retrying next interval")
            self._wake.wait(self.interval_s)
