"""The handoffs table (migrations in bot/servicedb/migrations)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String

from bot.servicedb.models import Base


class Handoff(Base):  # type: ignore[misc]
    """A conversation handed to a person (bot.handoff): waiting, taken, then ended.

    ``active_sender`` is the sender id while the handoff is waiting or taken and NULL once it
    has ended; its unique constraint keeps one open handoff per conversation on SQLite and
    PostgreSQL alike (both allow many NULLs).
    """

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    active_sender = Column(String(128), nullable=True, unique=True)
    channel = Column(String(20), nullable=False)  # socketio | wechat
    reason = Column(String(20), nullable=False)  # request | fallback
    status = Column(String(20), nullable=False, index=True)
    opened_at = Column(DateTime(timezone=True), nullable=False)
    taken_at = Column(DateTime(timezone=True), nullable=True)
    taken_by_department = Column(String(40), nullable=True)
    taken_by_label = Column(String(60), nullable=True)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    ended_by = Column(String(60), nullable=True)  # an agent's label, or "system" (timeout)
    agent_messages = Column(Integer, nullable=False, default=0)
