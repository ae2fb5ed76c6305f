"""The closed loop of article 11: the staff's steps and the enterprise's rating of the reply.

The steps are triage, dispatch, accept, reply, close, reopen and escalate. Each is one
transition of the state machine (bot.appeals.service.states), allowed only to the role it
belongs to, and logged in the same transaction.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from bot.appeals.service.models import Appeal
from bot.appeals.service.rules import COMPLEXITIES
from bot.appeals.service.states import RATEABLE, IllegalTransition, Status, next_status
from bot.appeals.service.store import Forbidden, StorePart
from bot.servicedb.db import transaction
from bot.servicedb.models import utc
from bot.servicedb.tokens import Actor
from bot.wording import service_wording


class Steps(StorePart):
    """Move appeals through the loop, for staff and for the enterprise's rating."""

    def act(self, actor: Actor, tracking_no: str, action: str, **params: Any) -> dict[str, Any]:
        """Take one action of the state machine (IllegalTransition → 409 at the API)."""
        store = self.store
        with transaction(store.factory) as session:
            appeal = store.visible(session, actor, tracking_no)
            self._check_role(actor, appeal, action)
            before = Status(appeal.status)
            after = next_status(action, before)
            note = str(params.get("note") or "")
            now = store.clock()
            if action == "triage":
                self._triage(appeal, params)
                lead = store.rules.department(appeal.lead_department).name
                note = note or service_wording().note_lead_department.format(department=lead)
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
            store.log(session, appeal, actor.department, action, before, after, note)
            session.flush()
            # The answer is the full view (the console shows it after the step): a read.
            return store.personal_view(session, actor, appeal)

    def _triage(self, appeal: Appeal, params: dict[str, Any]) -> None:
        lead = str(params.get("lead_department") or appeal.proposed_department)
        if lead not in {d.code for d in self.store.rules.departments}:
            raise ValueError(f"unknown department {lead!r}")
        appeal.lead_department = lead
        complexity = params.get("complexity")
        if complexity and complexity != appeal.complexity:
            if complexity not in COMPLEXITIES:
                raise ValueError("complexity must be simple or complex")
            appeal.complexity = complexity
            _, due = self.store.deadlines(utc(appeal.received_at), complexity)
            appeal.due_at = due.astimezone(timezone.utc)

    def _check_role(self, actor: Actor, appeal: Appeal, action: str) -> None:
        rules = self.store.rules
        triage = actor.department == rules.triage
        if action in ("triage", "dispatch", "close", "reopen") and not triage:
            raise Forbidden(f"only {rules.department(rules.triage).name} may {action}")
        if action in ("accept", "reply") and actor.department != appeal.lead_department:
            raise Forbidden(f"only the lead department may {action}")
        if action == "escalate" and not triage and appeal.proposed_department != actor.department:
            raise Forbidden("only the town holding the appeal may escalate it")

    def rate(
        self, tracking_no: str, phone_last4: str, score: int, comment: str = ""
    ) -> dict[str, Any]:
        """Record the enterprise's rating (1-5); 1-2 reopens the appeal for 区经委 review."""
        if not 1 <= score <= 5:
            raise ValueError("score must be 1-5")
        store = self.store
        with transaction(store.factory) as session:
            appeal = store.get(session, tracking_no)
            store.check_phone(appeal, phone_last4)
            status = Status(appeal.status)
            if status not in RATEABLE:
                raise IllegalTransition("rate", status)
            appeal.rating, appeal.rating_comment = score, comment.strip() or None
            note = service_wording().note_rating.format(score=score)
            store.log(session, appeal, "enterprise", "rate", status, status, note)
            if score <= 2:
                after = next_status("reopen", status)
                appeal.status, appeal.closed_at = after.value, None
                store.log(
                    session,
                    appeal,
                    "enterprise",
                    "reopen",
                    status,
                    after,
                    service_wording().note_low_rating,
                )
            return {"tracking_no": appeal.tracking_no, "status": appeal.status, "rating": score}
