"""What the parts of the appeal backend share: the database, the rules, the clock, the log.

Filing, queries, staff steps, supervision, retention and statistics each work through one
:class:`AppealStore`, so they see the same clock (a test moves it once for all) and record
events, visibility and personal-data reads the same way. A department sees only its own
appeals; 区经委 sees all. Every change appends an event (who, when, from-status, to-status,
note) in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.appeals.service.models import Appeal, AppealEvent, PersonalDataRead
from bot.appeals.service.rules import RoutingRules
from bot.appeals.service.states import OPEN, Status
from bot.servicedb.db import transaction
from bot.servicedb.models import Department, utc
from bot.servicedb.tokens import Actor

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]
# (received_at, complexity) -> (contact_due_at, due_at), both aware
DeadlineRule = Callable[[datetime, str], tuple[datetime, datetime]]


class NotFound(LookupError):
    """No such appeal, or not one this department may see (the same answer for both)."""


class Forbidden(PermissionError):
    """The department may see the appeal but not take this action on it."""


def now_utc() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """Return a stored time as ISO 8601 in Shanghai time, as every answer shows it."""
    return None if value is None else utc(value).astimezone(SHANGHAI).isoformat()


class AppealStore:
    """The appeal database with the routing rules, the 1515 deadlines and the clock."""

    def __init__(
        self,
        factory: sessionmaker,
        rules: RoutingRules,
        deadlines: DeadlineRule,
        clock: Clock = now_utc,
    ) -> None:
        """Bind to a session factory, the routing rules and the 1515 deadlines."""
        self.factory = factory
        self.rules = rules
        self.deadlines = deadlines
        self.clock = clock

    def sync_departments(self) -> None:
        """Make the departments table match config/routing.yml (adds and renames)."""
        with transaction(self.factory) as session:
            existing = {d.code: d for d in session.scalars(select(Department))}
            for dept in self.rules.departments:
                row = existing.get(dept.code)
                if row is None:
                    session.add(Department(code=dept.code, name=dept.name, kind=dept.kind))
                else:
                    row.name, row.kind = dept.name, dept.kind

    # -- finding an appeal and who may see it --------------------------------------------

    def get(self, session: Session, tracking_no: str) -> Appeal:
        """Return the appeal with ``tracking_no`` or raise NotFound."""
        appeal: Appeal | None = session.scalars(
            select(Appeal).where(Appeal.tracking_no == tracking_no)
        ).first()
        if appeal is None:
            raise NotFound(tracking_no)
        return appeal

    @staticmethod
    def check_phone(appeal: Appeal, phone_last4: str) -> None:
        """Raise NotFound (as for an unknown number) unless ``phone_last4`` ends its phone."""
        if not appeal.phone or len(phone_last4) != 4 or not appeal.phone.endswith(phone_last4):
            raise NotFound(appeal.tracking_no)

    @staticmethod
    def owned_by(department: str) -> Any:
        """Return the condition "led by ``department``, or proposed to it while unconfirmed"."""
        return (Appeal.lead_department == department) | (
            Appeal.lead_department.is_(None) & (Appeal.proposed_department == department)
        )

    def visible(self, session: Session, actor: Actor, tracking_no: str) -> Appeal:
        """Return the appeal if ``actor`` may see it; NotFound as for an unknown number."""
        appeal = self.get(session, tracking_no)
        if actor.department == self.rules.triage:
            return appeal
        owner = appeal.lead_department or appeal.proposed_department
        if owner != actor.department:
            raise NotFound(tracking_no)
        return appeal

    @staticmethod
    def is_overdue(appeal: Appeal, now: datetime) -> bool:
        """Tell whether an open appeal is past its due date at ``now``."""
        return Status(appeal.status) in OPEN and utc(appeal.due_at) < now

    # -- the event log and the staff view ------------------------------------------------

    def log(
        self,
        session: Session,
        appeal: Appeal,
        actor: str,
        action: str,
        before: Status | None,
        after: Status,
        note: str,
    ) -> None:
        """Append one event to the appeal's log, in the caller's transaction."""
        session.add(
            AppealEvent(
                appeal_id=appeal.id,
                at=self.clock(),
                actor=actor,
                action=action,
                from_status=None if before is None else before.value,
                to_status=after.value,
                note=note,
            )
        )

    def personal_view(self, session: Session, actor: Actor, appeal: Appeal) -> dict[str, Any]:
        """Return the full staff view of ``appeal`` and record that ``actor`` read it."""
        if appeal.phone:  # None once purged (retention): nothing personal left to read
            session.add(
                PersonalDataRead(
                    appeal_id=appeal.id,
                    at=self.clock(),
                    department=actor.department,
                    label=actor.label,
                )
            )
        return self.staff_dict(appeal)

    def staff_dict(self, appeal: Appeal) -> dict[str, Any]:
        """Return everything about one appeal as staff see it, contact details unmasked."""
        names = {d.code: d.name for d in self.rules.departments}
        return {
            "tracking_no": appeal.tracking_no,
            "status": appeal.status,
            "supervised": appeal.supervised,
            "channel": appeal.channel,
            "category": appeal.category,
            "complexity": appeal.complexity,
            "town": appeal.town,
            "enterprise_name": appeal.enterprise_name,
            "credit_code": appeal.credit_code,
            "contact_name": appeal.contact_name,
            "phone": appeal.phone,
            "description": appeal.description,
            "proposed_department": names.get(appeal.proposed_department),
            "lead_department": names.get(appeal.lead_department or ""),
            "received_at": iso(appeal.received_at),
            "contact_due_at": iso(appeal.contact_due_at),
            "due_at": iso(appeal.due_at),
            "reply": appeal.reply,
            "rating": appeal.rating,
            "rating_comment": appeal.rating_comment,
            "events": [
                {
                    "at": iso(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "from": e.from_status,
                    "to": e.to_status,
                    "note": e.note,
                }
                for e in appeal.events
            ],
        }


class StorePart:
    """One part of the appeal backend (filing, queries, ...), working on the shared store."""

    def __init__(self, store: AppealStore) -> None:
        """Work on ``store``, shared with the other parts."""
        self.store = store
