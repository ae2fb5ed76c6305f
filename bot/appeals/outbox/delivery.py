"""The outbox's delivery: the first attempt at 确认提交, then retries by a background thread.

:class:`Outbox` is the durable queue plus sending through the service client; it sends every
attempt once (``retries=0``) because the queue is the retry, with backoff. A
:class:`DeliveryLoop` thread runs :meth:`Outbox.deliver_pending` every few seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.appeals.client import (
    Answer,
    FieldProblem,
    NotFound,
    Rejected,
    ServiceClient,
    Unavailable,
)
from bot.appeals.outbox.queue import (
    DEFAULT_BASE_DELAY_S,
    DEFAULT_BUSY_TIMEOUT_S,
    DEFAULT_MAX_DELAY_S,
    OutboxQueue,
    epoch,
    retry_delay,
)

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_LEASE_S = 60.0


@dataclass(frozen=True)
class Submission:
    """Return value of :meth:`Outbox.submit`.

    Exactly one of three cases holds: ``delivered`` (``response`` is the service's answer),
    ``rejected`` (the service refused the body; ``error`` says why for logs, ``problems``
    for the user; nothing was queued) or neither (queued; ``reference`` is the provisional
    ``TMP-`` reference).
    """

    delivered: bool
    response: dict[str, Any] | None = None
    reference: str | None = None
    rejected: bool = False
    error: str | None = None
    problems: tuple[FieldProblem, ...] = ()
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


def _send(
    client: ServiceClient, key: str, body: Mapping[str, Any]
) -> Answer | Rejected | Unavailable:
    """POST the appeal once: the queue, not the client, retries it."""
    outcome = client.file_appeal(key, body, retries=0)
    if isinstance(outcome, NotFound):
        # No such endpoint: as with any other refusal, sending it again cannot help.
        return Rejected(outcome.status_code)
    return outcome


class Outbox(OutboxQueue):
    """The durable queue that also sends its appeals to the service."""

    def __init__(
        self,
        path: Path,
        *,
        base_delay_s: float = DEFAULT_BASE_DELAY_S,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
        claim_lease_s: float = DEFAULT_CLAIM_LEASE_S,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        super().__init__(
            path,
            base_delay_s=base_delay_s,
            max_delay_s=max_delay_s,
            busy_timeout_s=busy_timeout_s,
        )
        self.claim_lease_s = claim_lease_s

    def submit(self, client: ServiceClient, key: str, body: Mapping[str, Any]) -> Submission:
        """Post the appeal once; queue it if the service cannot take it now.

        201 → delivered. Connection error, timeout or 5xx → stored (at most one row per
        ``key``) and a provisional reference returned. Other 4xx (e.g. 422 invalid fields)
        → rejected and not queued: sending the same body again cannot help.
        """
        outcome = _send(client, key, body)
        if isinstance(outcome, Answer):
            # The appeal may already wait in the outbox from an earlier try with this key.
            self.mark_delivered(key, outcome.body, time.time())
            stored = self.entry_by_key(key)
            return Submission(
                delivered=True,
                response=outcome.body,
                reference=None if stored is None else stored.reference,
                status_code=outcome.status_code,
            )
        if isinstance(outcome, Rejected):
            logger.warning("Appeal with key %s rejected by the service: %s", key, outcome.error)
            return Submission(
                delivered=False,
                rejected=True,
                error=outcome.error,
                problems=outcome.problems,
                status_code=outcome.status_code,
            )
        error = outcome.reason
        entry = self.enqueue(key, body, error)
        if entry.status == "delivered":
            # Delivered earlier (by the loop) under the same key: the appeal is safe.
            return Submission(delivered=True, response=entry.response, reference=entry.reference)
        if entry.status == "rejected":
            return Submission(
                delivered=False, reference=entry.reference, rejected=True, error=entry.last_error
            )
        logger.warning("Appeal %s (key %s) queued in the outbox: %s", entry.reference, key, error)
        return Submission(
            delivered=False,
            reference=entry.reference,
            error=error,
            status_code=outcome.status_code,
        )

    def deliver_pending(
        self,
        client: ServiceClient,
        now: datetime | None = None,
        limit: int = 100,
    ) -> int:
        """Send the due pending appeals (at most ``limit``); return how many were delivered."""
        started = epoch(now)
        lease = max(self.claim_lease_s, 4 * client.timeout_s)
        delivered = 0
        for row in self.due(started, limit):
            if not self.claim(row, started + lease):
                continue  # another deliverer has it
            # If we crash after this POST but before recording the result, the row becomes due
            # again after the lease; the retry carries the same Idempotency-Key and the service
            # returns the appeal it already stored — no duplicate.
            outcome = _send(client, row.idempotency_key, row.body)
            if isinstance(outcome, Answer):
                if self.mark_delivered(row.idempotency_key, outcome.body, time.time()):
                    delivered += 1
                logger.info(
                    "Appeal %s (key %s) delivered as %s",
                    row.reference,
                    row.idempotency_key,
                    outcome.body.get("tracking_no"),
                )
            elif isinstance(outcome, Rejected):
                self.mark_rejected(row.row_id, outcome.error)
                logger.error(
                    "Appeal %s (key %s) rejected by the service; a person must look: %s",
                    row.reference,
                    row.idempotency_key,
                    outcome.error,
                )
            else:
                failures = row.attempts + 1
                delay = retry_delay(failures, self.base_delay_s, self.max_delay_s)
                error = outcome.reason
                self.reschedule(row.row_id, failures, error, started + delay)
                logger.warning(
                    "Appeal %s (key %s) not delivered (attempt %d), retry in %g s: %s",
                    row.reference,
                    row.idempotency_key,
                    failures,
                    delay,
                    error,
                )
        return delivered


class DeliveryLoop:
    """Daemon thread that calls :meth:`Outbox.deliver_pending` every ``interval_s``."""

    def __init__(self, outbox: Outbox, client: ServiceClient, interval_s: float = 5.0) -> None:
        self.outbox = outbox
        self.client = client
        self.interval_s = interval_s
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
                self.outbox.deliver_pending(self.client)
            except Exception:
                logger.exception("Outbox delivery pass failed; retrying next interval")
            self._wake.wait(self.interval_s)
