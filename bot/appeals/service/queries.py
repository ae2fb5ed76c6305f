"""Reading appeals: the enterprise's public status, one appeal for staff, lists, who read what.

The public view holds nothing personal and needs the phone's last four digits; a staff view
of one appeal holds the contact details, so each such read is recorded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.appeals.service.models import Appeal, PersonalDataRead
from bot.appeals.service.store import Forbidden, StorePart, iso
from bot.servicedb.db import transaction
from bot.servicedb.tokens import Actor


class Queries(StorePart):
    """Views of appeals for the enterprise and for staff."""

    def public_view(self, tracking_no: str, phone_last4: str) -> dict[str, Any]:
        """Status, timeline, lead department and due date; nothing personal.

        A wrong phone_last4 gets the same NotFound as an unknown number.
        """
        store = self.store
        with store.factory() as session:
            appeal = store.get(session, tracking_no)
            store.check_phone(appeal, phone_last4)
            owner = appeal.lead_department or appeal.proposed_department
            return {
                "tracking_no": appeal.tracking_no,
                "status": appeal.status,
                "supervised": appeal.supervised,
                "department": store.rules.department(owner).name,
                "department_confirmed": appeal.lead_department is not None,
                "received_at": iso(appeal.received_at),
                "contact_due_at": iso(appeal.contact_due_at),
                "due_at": iso(appeal.due_at),
                "reply": appeal.reply,
                "rating": appeal.rating,
                "timeline": [
                    {"at": iso(e.at), "status": e.to_status, "action": e.action}
                    for e in appeal.events
                ],
            }

    def staff_view(self, actor: Actor, tracking_no: str) -> dict[str, Any]:
        """Everything about one appeal for a department that may see it.

        The view holds the unmasked contact details (while not purged), so the read is
        recorded: who (department and token label), when, which appeal.
        """
        with transaction(self.store.factory) as session:
            appeal = self.store.visible(session, actor, tracking_no)
            return self.store.personal_view(session, actor, appeal)

    def personal_data_reads(self, actor: Actor, tracking_no: str) -> list[dict[str, Any]]:
        """Return who read an appeal's contact details, oldest first (区经委 only)."""
        if actor.department != self.store.rules.triage:
            raise Forbidden("only the triage department may see who read personal data")
        with self.store.factory() as session:
            appeal = self.store.get(session, tracking_no)
            rows = session.scalars(
                select(PersonalDataRead)
                .where(PersonalDataRead.appeal_id == appeal.id)
                .order_by(PersonalDataRead.id)
            )
            return [{"at": iso(r.at), "department": r.department, "label": r.label} for r in rows]

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
        store = self.store
        # The events in one more query for all the appeals, not one query per appeal.
        query = select(Appeal).options(selectinload(Appeal.events)).order_by(Appeal.id.desc())
        if actor.department != store.rules.triage:
            query = query.where(store.owned_by(actor.department))
        if status:
            query = query.where(Appeal.status == status)
        if department:
            query = query.where(store.owned_by(department))
        if town:
            query = query.where(Appeal.town == town)
        with store.factory() as session:
            now = store.clock()
            flagged = [(a, store.is_overdue(a, now)) for a in session.scalars(query)]
            if overdue is not None:
                flagged = [(a, late) for a, late in flagged if late == overdue]
            flagged.sort(key=lambda pair: not pair[1])  # stable: newest first within each
            return [store.staff_dict(a) for a, _ in flagged]
