"""Handoffs: open (the chat's handoff action), take, reply, hand back, close, expire.

The database row says who has the conversation; Rasa's ``pause`` / ``resume`` events make the
bot keep silent while an agent has it. Each step first claims the row with a conditional
update (two agents cannot both take a handoff, on SQLite or PostgreSQL), then calls Rasa; a
failed Rasa call undoes the claim, so the row and the conversation agree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.handoff.models import Handoff
from bot.handoff.notices import Notice
from bot.handoff.rasa_api import RasaClient, RasaUnavailable
from bot.handoff.transcript import preview, transcript
from bot.servicedb.db import transaction
from bot.servicedb.models import utc
from bot.servicedb.tokens import Actor
from bot.wording import service_wording

logger = logging.getLogger(__name__)

WAITING, TAKEN, RETURNED, CLOSED, EXPIRED = "waiting", "taken", "returned", "closed", "expired"
ACTIVE = (WAITING, TAKEN)
ENDED = (RETURNED, CLOSED, EXPIRED)
# Channels Rasa can send to outside a user turn; REST and the shell cannot be reached.
# Their labels, the reasons' and the statuses' are in config/service_wording.yml.
CHANNELS = ("socketio", "wechat")
REASONS = ("request", "fallback")
STATUSES = (*ACTIVE, *ENDED)
LIST_LIMIT = 100
SYSTEM = "system"


class HandoffNotFound(LookupError):
    """No handoff with this id."""


class HandoffConflict(RuntimeError):
    """The step does not fit the handoff's state (taken by another agent, already ended)."""


class UnsupportedChannel(ValueError):
    """The conversation's channel cannot receive an agent's messages."""


Clock = Callable[[], datetime]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else utc(value).isoformat()


class HandoffService:
    """The handoff steps over one appeal database and one Rasa server."""

    def __init__(
        self,
        factory: sessionmaker,
        rasa: RasaClient,
        notices: dict[str, Notice],
        clock: Clock,
        timeout_s: float,
        department_names: dict[str, str] | None = None,
    ) -> None:
        """Keep the parts; ``timeout_s`` is how long a handoff may wait for an agent."""
        self.factory = factory
        self.rasa = rasa
        self.notices = notices
        self.clock = clock
        self.timeout_s = timeout_s
        self.department_names = department_names or {}

    # -- opening (the chat) ---------------------------------------------------------------

    def open(self, sender_id: str, channel: str, reason: str) -> tuple[dict[str, Any], bool]:
        """Open a handoff for a conversation, or return the one already open (and False)."""
        if channel not in CHANNELS:
            raise UnsupportedChannel(channel)
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        try:
            with transaction(self.factory) as session:
                row = Handoff(
                    sender_id=sender_id,
                    active_sender=sender_id,
                    channel=channel,
                    reason=reason,
                    status=WAITING,
                    opened_at=self.clock(),
                    agent_messages=0,
                )
                session.add(row)
                session.flush()
                opened = self._item(row, None)
        except IntegrityError:  # one is open already (unique active_sender)
            with self.factory() as session:
                existing = session.scalars(
                    select(Handoff).where(Handoff.active_sender == sender_id)
                ).first()
                if existing is None:  # ended in between: try once more
                    return self.open(sender_id, channel, reason)
                return self._item(existing, None), False
        logger.info("handoff %s opened (%s, %s)", opened["id"], channel, reason)
        return opened, True

    # -- reading (the console) ------------------------------------------------------------

    def inbox(self, actor: Actor, status: str = "active") -> list[dict[str, Any]]:
        """Return handoffs: waiting ones first (oldest first), then taken; or ended ones."""
        wanted = {"active": ACTIVE, "waiting": (WAITING,), "taken": (TAKEN,), "ended": ENDED}
        if status not in wanted:
            raise ValueError(f"unknown status filter {status!r}")
        with self.factory() as session:
            query = select(Handoff).where(Handoff.status.in_(wanted[status]))
            if status == "ended":
                query = query.order_by(Handoff.ended_at.desc())
            else:
                query = query.order_by(Handoff.status.desc(), Handoff.opened_at)
            rows = list(session.scalars(query.limit(LIST_LIMIT)))
        items = []
        for row in rows:
            lines = self._lines(row.sender_id) if row.status in ACTIVE else None
            item = self._item(row, actor)
            item["preview"] = preview(lines) if lines else ""
            items.append(item)
        return items

    def detail(self, actor: Actor, handoff_id: int) -> dict[str, Any]:
        """Return one handoff with its transcript (phone and ID numbers masked)."""
        row = self._get(handoff_id)
        item = self._item(row, actor)
        lines = self._lines(row.sender_id)
        item["transcript"] = lines or []
        item["transcript_available"] = lines is not None
        item["preview"] = preview(lines) if lines else ""
        return item

    def _lines(self, sender_id: str) -> list[dict[str, Any]] | None:
        try:
            return transcript(self.rasa.events(sender_id))
        except RasaUnavailable as exc:
            logger.warning("handoff transcript unavailable: %s", exc)
            return None

    # -- the agent's steps ----------------------------------------------------------------

    def take(self, actor: Actor, handoff_id: int) -> dict[str, Any]:
        """Take a waiting handoff: the bot pauses and the user is told a person is here."""
        claimed = self._claim(
            handoff_id,
            (Handoff.status == WAITING,),
            status=TAKEN,
            taken_at=self.clock(),
            taken_by_department=actor.department,
            taken_by_label=actor.label,
        )
        if not claimed:
            raise HandoffConflict(self._conflict_message(handoff_id, actor))
        row = self._get(handoff_id)
        try:
            notice = self.notices["taken"].event(handoff_id=handoff_id, notice="taken")
            self.rasa.append(row.sender_id, [{"event": "pause"}, notice])
        except RasaUnavailable:
            self._claim(
                handoff_id,
                (Handoff.status == TAKEN,),
                status=WAITING,
                taken_at=None,
                taken_by_department=None,
                taken_by_label=None,
            )
            raise
        logger.info("handoff %s taken by %s", handoff_id, actor.department)
        return self._item(self._get(handoff_id), actor)

    def say(self, actor: Actor, handoff_id: int, text: str) -> dict[str, Any]:
        """Send an agent's message to the user (only the agent who took the handoff)."""
        row = self._get(handoff_id)
        if not self._mine(row, actor) or row.status != TAKEN:
            raise HandoffConflict(self._conflict_message(handoff_id, actor))
        at = self.clock()
        event = {
            "event": "bot",
            "text": text,
            "metadata": {"from": "agent", "handoff_id": handoff_id},
            "timestamp": at.timestamp(),
        }
        self.rasa.append(row.sender_id, [event])
        with transaction(self.factory) as session:
            session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id)
                .values(agent_messages=Handoff.agent_messages + 1)
            )
        return {"sent": True, "at": _iso(at)}

    def end(self, actor: Actor, handoff_id: int, *, close: bool) -> dict[str, Any]:
        """Hand the conversation back to the bot (or close it); the bot answers again."""
        row = self._get(handoff_id)
        allowed = (row.status == TAKEN and self._mine(row, actor)) or (
            close and row.status == WAITING
        )
        if not allowed:
            raise HandoffConflict(self._conflict_message(handoff_id, actor))
        name = "closed" if close else "released"
        notice = self.notices[name].event(handoff_id=handoff_id, notice=name)
        self.rasa.append(row.sender_id, [{"event": "resume"}, notice])
        self._claim(
            handoff_id,
            (Handoff.status == row.status,),
            status=CLOSED if close else RETURNED,
            active_sender=None,
            ended_at=self.clock(),
            ended_by=actor.label or actor.department,
        )
        logger.info("handoff %s %s by %s", handoff_id, name, actor.department)
        return self._item(self._get(handoff_id), actor)

    # -- the timeout (the service's job) --------------------------------------------------

    def expire_waiting(self) -> list[int]:
        """End handoffs that waited longer than the timeout; tell each user, offer an appeal."""
        limit = self.clock() - timedelta(seconds=self.timeout_s)
        with self.factory() as session:
            due = list(
                session.scalars(
                    select(Handoff).where(Handoff.status == WAITING, Handoff.opened_at < limit)
                )
            )
        expired = []
        for row in due:
            claimed = self._claim(
                row.id,
                (Handoff.status == WAITING,),
                status=EXPIRED,
                active_sender=None,
                ended_at=self.clock(),
                ended_by=SYSTEM,
            )
            if not claimed:  # taken or expired by another process meanwhile
                continue
            expired.append(row.id)
            try:
                notice = self.notices["timeout"].event(handoff_id=row.id, notice="timeout")
                self.rasa.append(row.sender_id, [notice])
            except RasaUnavailable as exc:
                logger.warning("handoff %s expired; the user could not be told: %s", row.id, exc)
            else:
                logger.info("handoff %s expired; the user was offered an appeal", row.id)
        return expired

    # -- helpers --------------------------------------------------------------------------

    def _get(self, handoff_id: int) -> Handoff:
        with self.factory() as session:
            row = session.get(Handoff, handoff_id)
        if row is None:
            raise HandoffNotFound(handoff_id)
        return row  # type: ignore[no-any-return]

    def _claim(self, handoff_id: int, conditions: tuple[Any, ...], **values: Any) -> bool:
        with transaction(self.factory) as session:
            result = session.execute(
                update(Handoff).where(Handoff.id == handoff_id, *conditions).values(**values)
            )
            return bool(result.rowcount)

    @staticmethod
    def _mine(row: Handoff, actor: Actor) -> bool:
        return bool(
            row.taken_by_department == actor.department and row.taken_by_label == actor.label
        )

    def _conflict_message(self, handoff_id: int, actor: Actor) -> str:
        row = self._get(handoff_id)
        wording = service_wording()
        if row.status in ENDED:
            return wording.handoff_ended.format(status=wording.handoff_statuses[row.status])
        if row.status == TAKEN and not self._mine(row, actor):
            return wording.handoff_taken_by_other
        if row.status == WAITING:
            return wording.handoff_not_taken
        return wording.handoff_taken_by_you

    def _item(self, row: Handoff, actor: Actor | None) -> dict[str, Any]:
        opened = utc(row.opened_at)
        end = utc(row.ended_at) if row.ended_at else self.clock()
        taken_by = None
        if row.taken_by_department:
            taken_by = {
                "department": row.taken_by_department,
                "name": self.department_names.get(row.taken_by_department, row.taken_by_department),
                "label": row.taken_by_label or "",
            }
        labels = service_wording()
        return {
            "id": row.id,
            "status": row.status,
            "status_label": labels.handoff_statuses[row.status],
            "channel": row.channel,
            "channel_label": labels.handoff_channels.get(row.channel, row.channel),
            "reason": row.reason,
            "reason_label": labels.handoff_reasons.get(row.reason, row.reason),
            "opened_at": _iso(row.opened_at),
            "taken_at": _iso(row.taken_at),
            "ended_at": _iso(row.ended_at),
            "taken_by": taken_by,
            "mine": actor is not None and row.status == TAKEN and self._mine(row, actor),
            "waiting_s": max(
                0, int(((utc(row.taken_at) if row.taken_at else end) - opened).total_seconds())
            ),
            "agent_messages": row.agent_messages,
            "timeout_s": self.timeout_s,
        }
