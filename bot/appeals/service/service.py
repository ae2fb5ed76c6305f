"""Appeal operations: intake with idempotency, the closed loop of article 11, ratings.

Every change appends an event (who, when, from-status, to-status, note) in the same
transaction as the change itself. A department sees only its own appeals; 区经委 sees all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.appeals.masking import mask_text
from bot.appeals.service.models import Appeal, AppealEvent, DailyCounter, PersonalDataRead
from bot.appeals.service.rules import COMPLEXITIES, RoutingRules
from bot.appeals.service.states import OPEN, RATEABLE, IllegalTransition, Status, next_status
from bot.servicedb.db import transaction
from bot.servicedb.models import Department, utc
from bot.servicedb.tokens import Actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
TRACKING_PREFIX = "JD"
PURGED = "（已清除）"
MAX_ATTEMPTS = 8

Clock = Callable[[], datetime]
# (received_at, complexity) -> (contact_due_at, due_at), both aware
DeadlineRule = Callable[[datetime, str], tuple[datetime, datetime]]


class NotFound(LookupError):
    """No such appeal, or not one this department may see (the same answer for both)."""


class IdempotencyConflict(ValueError):
    """The idempotency key was used before with a different request body."""


class Forbidden(PermissionError):
    """The department may see the appeal but not take this action on it."""


def now_utc() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def request_hash(body: dict[str, Any]) -> str:
    """Hash a request body canonically (key order and spacing do not matter)."""
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else utc(value).astimezone(SHANGHAI).isoformat()


class AppealService:
    """The routing backend's operations on one database."""

    def __init__(
        self,
        factory: sessionmaker,
        rules: RoutingRules,
        deadlines: DeadlineRule,
        clock: Clock = now_utc,
    ) -> None:
        """Bind the service to a session factory, the routing rules and the 1515 deadlines."""
        self.factory = factory
        self.rules = rules
        self.deadlines = deadlines
        self.clock = clock

    # -- set-up ------------------------------------------------------------------------

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

    # -- intake ------------------------------------------------------------------------

    def create(self, key: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """File an appeal once per idempotency key; return (response, created).

        The same key with the same body returns the stored response; with another body it
        raises IdempotencyConflict. Concurrent requests with one key file one appeal.
        """
        digest = request_hash(body)
        for _ in range(MAX_ATTEMPTS):
            try:
                with transaction(self.factory) as session:
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
        received = self.clock()
        proposal = self.rules.propose(body["category"], body["channel"], body["town"])
        contact_due, due = (
            d.astimezone(timezone.utc) for d in self.deadlines(received, proposal.complexity)
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
        dept = self.rules.department(proposal.department)
        self._log(session, appeal, body["channel"], "receive", None, Status.RECEIVED, "")
        response = {
            "tracking_no": appeal.tracking_no,
            "status": appeal.status,
            "proposed_department": dept.name,
            "contact_due_at": _iso(contact_due),
            "due_at": _iso(due),
        }
        appeal.response_json = json.dumps(response, ensure_ascii=False)
        return response

    def _next_tracking_no(self, session: Session, day: date) -> str:
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

    # -- views -------------------------------------------------------------------------

    def public_view(self, tracking_no: str, phone_last4: str) -> dict[str, Any]:
        """Status, timeline, lead department and due date; nothing personal.

        A wrong phone_last4 gets the same NotFound as an unknown number.
        """
        with self.factory() as session:
            appeal = self._get(session, tracking_no)
            self._check_phone(appeal, phone_last4)
            owner = appeal.lead_department or appeal.proposed_department
            return {
                "tracking_no": appeal.tracking_no,
                "status": appeal.status,
                "supervised": appeal.supervised,
                "department": self.rules.department(owner).name,
                "department_confirmed": appeal.lead_department is not None,
                "received_at": _iso(appeal.received_at),
                "contact_due_at": _iso(appeal.contact_due_at),
                "due_at": _iso(appeal.due_at),
                "reply": appeal.reply,
                "rating": appeal.rating,
                "timeline": [
                    {"at": _iso(e.at), "status": e.to_status, "action": e.action}
                    for e in appeal.events
                ],
            }

    def staff_view(self, actor: Actor, tracking_no: str) -> dict[str, Any]:
        """Everything about one appeal for a department that may see it.

        The view holds the unmasked contact details (while not purged), so the read is
        recorded: who (department and token label), when, which appeal.
        """
        with transaction(self.factory) as session:
            appeal = self._visible(session, actor, tracking_no)
            return self._personal_view(session, actor, appeal)

    def _personal_view(self, session: Session, actor: Actor, appeal: Appeal) -> dict[str, Any]:
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
        return self._staff_dict(appeal)

    def personal_data_reads(self, actor: Actor, tracking_no: str) -> list[dict[str, Any]]:
        """Return who read an appeal's contact details, oldest first (区经委 only)."""
        if actor.department != self.rules.triage:
            raise Forbidden("only the triage department may see who read personal data")
        with self.factory() as session:
            appeal = self._get(session, tracking_no)
            rows = session.scalars(
                select(PersonalDataRead)
                .where(PersonalDataRead.appeal_id == appeal.id)
                .order_by(PersonalDataRead.id)
            )
            return [{"at": _iso(r.at), "department": r.department, "label": r.label} for r in rows]

    def list_appeals(
        self,
        actor: Actor,
        status: str | None = None,
        overdue: bool | None = None,
        *,
        department: str | None = None,
        town: str | None = None,
    ) -> list[dict[str, Any]]:
        """List the department's appeals (区经委: all): overdue first, then newest first.

        Filters: ``status``; ``overdue``; ``department`` (a code: appeals it leads, or is
        proposed for while no lead is confirmed; within the actor's own scope); ``town``.
        """
        # The events in one more query for all the appeals, not one query per appeal.
        query = select(Appeal).options(selectinload(Appeal.events)).order_by(Appeal.id.desc())
        if actor.department != self.rules.triage:
            query = query.where(self._owned_by(actor.department))
        if status:
            query = query.where(Appeal.status == status)
        if department:
            query = query.where(self._owned_by(department))
        if town:
            query = query.where(Appeal.town == town)
        with self.factory() as session:
            now = self.clock()
            flagged = [(a, self._is_overdue(a, now)) for a in session.scalars(query)]
            if overdue is not None:
                flagged = [(a, late) for a, late in flagged if late == overdue]
            flagged.sort(key=lambda pair: not pair[1])  # stable: newest first within each
            return [self._staff_dict(a) for a, _ in flagged]

    # -- the loop ----------------------------------------------------------------------

    def act(self, actor: Actor, tracking_no: str, action: str, **params: Any) -> dict[str, Any]:
        """Take one action of the state machine (IllegalTransition → 409 at the API)."""
        with transaction(self.factory) as session:
            appeal = self._visible(session, actor, tracking_no)
            self._check_role(actor, appeal, action)
            before = Status(appeal.status)
            after = next_status(action, before)
            note = str(params.get("note") or "")
            now = self.clock()
            if action == "triage":
                self._triage(appeal, params)
                note = note or f"主办部门：{self.rules.department(appeal.lead_department).name}"
            elif action == "reply":
                text = str(params.get("reply") or "").strip()
                if not text:
                    raise ValueError("reply text is required")
                appeal.reply, appeal.replied_at = text, now
            elif action == "close":
                appeal.closed_at = now
            elif action == "reopen":
                appeal.closed_at = None
            appeal.status = after.value
            self._log(session, appeal, actor.department, action, before, after, note)
            session.flush()
            # The answer is the full view (the console shows it after the step): a read.
            return self._personal_view(session, actor, appeal)

    def _triage(self, appeal: Appeal, params: dict[str, Any]) -> None:
        lead = str(params.get("lead_department") or appeal.proposed_department)
        if lead not in {d.code for d in self.rules.departments}:
            raise ValueError(f"unknown department {lead!r}")
        appeal.lead_department = lead
        complexity = params.get("complexity")
        if complexity and complexity != appeal.complexity:
            if complexity not in COMPLEXITIES:
                raise ValueError("complexity must be simple or complex")
            appeal.complexity = complexity
            _, due = self.deadlines(utc(appeal.received_at), complexity)
            appeal.due_at = due.astimezone(timezone.utc)

    def rate(
        self, tracking_no: str, phone_last4: str, score: int, comment: str = ""
    ) -> dict[str, Any]:
        """Record the enterprise's rating (1-5); 1-2 reopens the appeal for 区经委 review."""
        if not 1 <= score <= 5:
            raise ValueError("score must be 1-5")
        with transaction(self.factory) as session:
            appeal = self._get(session, tracking_no)
            self._check_phone(appeal, phone_last4)
            status = Status(appeal.status)
            if status not in RATEABLE:
                raise IllegalTransition("rate", status)
            appeal.rating, appeal.rating_comment = score, comment.strip() or None
            self._log(session, appeal, "enterprise", "rate", status, status, f"评分：{score}")
            if score <= 2:
                after = next_status("reopen", status)
                appeal.status, appeal.closed_at = after.value, None
                self._log(
                    session,
                    appeal,
                    "enterprise",
                    "reopen",
                    status,
                    after,
                    "满意度低，重新交区经委复核",
                )
            return {"tracking_no": appeal.tracking_no, "status": appeal.status, "rating": score}

    def purge_personal_data(self, older_than_days: int) -> list[str]:
        """Clear contact name and phone of appeals closed more than ``older_than_days`` ago.

        Numbers in the description (a phone or ID number typed there) are masked too. The
        appeal, its statistics and its event log stay; the purge itself is an event.
        """
        cutoff = self.clock() - timedelta(days=older_than_days)
        purged = []
        with transaction(self.factory) as session:
            query = select(Appeal).where(
                Appeal.status == Status.CLOSED.value, Appeal.phone.is_not(None)
            )
            for appeal in session.scalars(query):
                if appeal.closed_at is None or utc(appeal.closed_at) >= cutoff:
                    continue
                appeal.phone = None
                appeal.contact_name = PURGED
                appeal.description = mask_text(appeal.description)
                status = Status(appeal.status)
                note = f"办结超过{older_than_days}天，已清除联系人和电话"
                self._log(session, appeal, "system", "purge", status, status, note)
                purged.append(appeal.tracking_no)
        return purged

    def supervise(self) -> list[str]:
        """Flag overdue open appeals as supervised (督办) and escalate them to 区经委."""
        now = self.clock()
        flagged = []
        with transaction(self.factory) as session:
            query = select(Appeal).where(
                Appeal.status.in_([s.value for s in OPEN]), Appeal.supervised.is_(False)
            )
            for appeal in session.scalars(query):
                if not self._is_overdue(appeal, now):
                    continue
                before = Status(appeal.status)
                appeal.supervised = True
                note = "超过办理时限，区经委督办"
                if before is not Status.ESCALATED:
                    after = next_status("escalate", before)
                    appeal.status = after.value
                    self._log(session, appeal, "system", "supervise", before, after, note)
                else:
                    self._log(session, appeal, "system", "supervise", before, before, note)
                flagged.append(appeal.tracking_no)
        return flagged

    def stats(self) -> list[dict[str, Any]]:
        """Per department: count, on-time rate of replied appeals, average rating."""
        with self.factory() as session:
            rows = list(session.scalars(select(Appeal)))
        result = []
        for dept in self.rules.departments:
            mine = [a for a in rows if (a.lead_department or a.proposed_department) == dept.code]
            if not mine:
                continue
            replied = [a for a in mine if a.replied_at is not None]
            on_time = [a for a in replied if utc(a.replied_at) <= utc(a.due_at)]
            rated = [a.rating for a in mine if a.rating is not None]
            result.append(
                {
                    "department": dept.name,
                    "code": dept.code,
                    "count": len(mine),
                    "replied": len(replied),
                    "on_time_rate": round(len(on_time) / len(replied), 3) if replied else None,
                    "average_rating": round(sum(rated) / len(rated), 2) if rated else None,
                }
            )
        return result

    # -- helpers -----------------------------------------------------------------------

    def _get(self, session: Session, tracking_no: str) -> Appeal:
        appeal: Appeal | None = session.scalars(
            select(Appeal).where(Appeal.tracking_no == tracking_no)
        ).first()
        if appeal is None:
            raise NotFound(tracking_no)
        return appeal

    @staticmethod
    def _check_phone(appeal: Appeal, phone_last4: str) -> None:
        """Raise NotFound (as for an unknown number) unless ``phone_last4`` ends its phone."""
        if not appeal.phone or len(phone_last4) != 4 or not appeal.phone.endswith(phone_last4):
            raise NotFound(appeal.tracking_no)

    def _owned_by(self, department: str) -> Any:
        return (Appeal.lead_department == department) | (
            Appeal.lead_department.is_(None) & (Appeal.proposed_department == department)
        )

    def _visible(self, session: Session, actor: Actor, tracking_no: str) -> Appeal:
        appeal = self._get(session, tracking_no)
        if actor.department == self.rules.triage:
            return appeal
        owner = appeal.lead_department or appeal.proposed_department
        if owner != actor.department:
            raise NotFound(tracking_no)
        return appeal

    def _check_role(self, actor: Actor, appeal: Appeal, action: str) -> None:
        triage = actor.department == self.rules.triage
        if action in ("triage", "dispatch", "close", "reopen") and not triage:
            raise Forbidden(f"only {self.rules.department(self.rules.triage).name} may {action}")
        if action in ("accept", "reply") and actor.department != appeal.lead_department:
            raise Forbidden(f"only the lead department may {action}")
        if action == "escalate" and not triage and appeal.proposed_department != actor.department:
            raise Forbidden("only the town holding the appeal may escalate it")

    def _is_overdue(self, appeal: Appeal, now: datetime) -> bool:
        return Status(appeal.status) in OPEN and utc(appeal.due_at) < now

    def _log(
        self,
        session: Session,
        appeal: Appeal,
        actor: str,
        action: str,
        before: Status | None,
        after: Status,
        note: str,
    ) -> None:
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

    def _staff_dict(self, appeal: Appeal) -> dict[str, Any]:
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
            "received_at": _iso(appeal.received_at),
            "contact_due_at": _iso(appeal.contact_due_at),
            "due_at": _iso(appeal.due_at),
            "reply": appeal.reply,
            "rating": appeal.rating,
            "rating_comment": appeal.rating_comment,
            "events": [
                {
                    "at": _iso(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "from": e.from_status,
                    "to": e.to_status,
                    "note": e.note,
                }
                for e in appeal.events
            ],
        }
