"""Filing an appeal: once per idempotency key, with a readable tracking number and deadlines.

The same key with the same body gives the stored response again; with another body it is a
conflict. Concurrent requests with one key file one appeal, and concurrent filings on one
day get distinct numbers (the day's counter is bumped inside the filing transaction).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.appeals.service.models import Appeal, DailyCounter
from bot.appeals.service.states import Status
from bot.appeals.service.store import SHANGHAI, StorePart, iso
from bot.servicedb.db import transaction

TRACKING_PREFIX = "JD"
MAX_ATTEMPTS = 8


class IdempotencyConflict(ValueError):
    """The idempotency key was used before with a different request body."""


def request_hash(body: dict[str, Any]) -> str:
    """Hash a request body canonically (key order and spacing do not matter)."""
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Filing(StorePart):
    """Intake of appeals, idempotent per key."""

    def create(self, key: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """File an appeal once per idempotency key; return (response, created).

        The same key with the same body returns the stored response; with another body it
        raises IdempotencyConflict. Concurrent requests with one key file one appeal.
        """
        digest = request_hash(body)
        for _ in range(MAX_ATTEMPTS):
            try:
                with transaction(self.store.factory) as session:
                    existing = session.scalars(
                        select(Appeal).where(Appeal.idempotency_key == key)
                    ).first()
                    if existing is not None:
                        if existing.request_hash != digest:
                            raise IdempotencyConflict(key)
                        return json.loads(existing.response_json), False
                    return self._insert(session, key, digest, body), True
            except IntegrityError:
                # Another request took this key or this day's counter row first: try again.
                continue
        raise RuntimeError("could not file the appeal after several attempts")

    def _insert(
        self, session: Session, key: str, digest: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        store = self.store
        received = store.clock()
        proposal = store.rules.propose(body["category"], body["channel"], body["town"])
        contact_due, due = (
            d.astimezone(timezone.utc) for d in store.deadlines(received, proposal.complexity)
        )
        appeal = Appeal(
            tracking_no=self._next_tracking_no(session, received.astimezone(SHANGHAI).date()),
            idempotency_key=key,
            request_hash=digest,
            status=Status.RECEIVED.value,
            supervised=False,
            channel=body["channel"],
            category=body["category"],
            complexity=proposal.complexity,
            town=body["town"],
            enterprise_name=body["enterprise_name"],
            credit_code=body["credit_code"],
            contact_name=body["contact_name"],
            phone=body["phone"],
            description=body["description"],
            proposed_department=proposal.department,
            received_at=received,
            contact_due_at=contact_due,
            due_at=due,
            response_json="{}",
        )
        session.add(appeal)
        session.flush()
        dept = store.rules.department(proposal.department)
        store.log(session, appeal, body["channel"], "receive", None, Status.RECEIVED, "")
        response = {
            "tracking_no": appeal.tracking_no,
            "status": appeal.status,
            "proposed_department": dept.name,
            "contact_due_at": iso(contact_due),
            "due_at": iso(due),
        }
        appeal.response_json = json.dumps(response, ensure_ascii=False)
        return response

    @staticmethod
    def _next_tracking_no(session: Session, day: date) -> str:
        """JD-YYYYMMDD-NNNN: a per-day counter, incremented inside the filing transaction."""
        bumped = session.execute(
            update(DailyCounter)
            .where(DailyCounter.day == day)
            .values(last=DailyCounter.last + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount == 0:
            session.add(DailyCounter(day=day, last=1))
            session.flush()  # a concurrent first filing of the day fails here and retries
        last = session.scalars(select(DailyCounter.last).where(DailyCounter.day == day)).one()
        return f"{TRACKING_PREFIX}-{day:%Y%m%d}-{last:04d}"
