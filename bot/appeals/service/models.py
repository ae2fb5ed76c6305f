"""Tables of the appeals (SQLAlchemy 1.4, 2.0-style; migrations in bot/servicedb/migrations).

The event log is append-only: the ORM refuses to update or delete an event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import relationship

from bot.servicedb.models import Base


class Appeal(Base):  # type: ignore[misc]
    """One enterprise appeal (企业诉求) and where it stands."""

    __tablename__ = "appeals"
    id = Column(Integer, primary_key=True)
    tracking_no = Column(String(20), nullable=False, unique=True)
    idempotency_key = Column(String(100), nullable=False, unique=True)
    request_hash = Column(String(64), nullable=False)
    status = Column(String(20), nullable=False, index=True)
    supervised = Column(Boolean, nullable=False, default=False)  # 督办: set when overdue
    channel = Column(String(20), nullable=False)  # chat | wechat | hotline | web | offline
    category = Column(String(30), nullable=False)
    complexity = Column(String(10), nullable=False)  # simple | complex
    town = Column(String(20), nullable=False)
    enterprise_name = Column(String(100), nullable=False)
    credit_code = Column(String(18), nullable=False)
    contact_name = Column(String(40), nullable=False)
    phone = Column(String(20), nullable=True)  # E.164; None once purged (retention)
    description = Column(Text, nullable=False)
    proposed_department = Column(ForeignKey("departments.code"), nullable=False)
    lead_department = Column(ForeignKey("departments.code"), nullable=True, index=True)
    received_at = Column(DateTime(timezone=True), nullable=False)
    contact_due_at = Column(DateTime(timezone=True), nullable=False)
    due_at = Column(DateTime(timezone=True), nullable=False, index=True)  # supervision scans it
    replied_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    reply = Column(Text, nullable=True)
    rating = Column(Integer, nullable=True)
    rating_comment = Column(Text, nullable=True)
    response_json = Column(Text, nullable=False)  # the 201 body, returned again on a retry

    events = relationship("AppealEvent", order_by="AppealEvent.id", back_populates="appeal")


class AppealEvent(Base):  # type: ignore[misc]
    """One change of an appeal: who, when, from which status to which, and a note."""

    __tablename__ = "appeal_events"
    id = Column(Integer, primary_key=True)
    appeal_id = Column(ForeignKey("appeals.id"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    actor = Column(String(60), nullable=False)  # department code, "enterprise" or "system"
    action = Column(String(30), nullable=False)
    from_status = Column(String(20), nullable=True)
    to_status = Column(String(20), nullable=False)
    note = Column(Text, nullable=False, default="")

    appeal = relationship("Appeal", back_populates="events")


class DailyCounter(Base):  # type: ignore[misc]
    """The last tracking-number sequence handed out on one day (Asia/Shanghai)."""

    __tablename__ = "daily_counters"
    __table_args__ = (UniqueConstraint("day"),)
    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False)
    last = Column(Integer, nullable=False)


class PersonalDataRead(Base):  # type: ignore[misc]
    """A staff read of an appeal's unmasked contact details: who, when, which appeal."""

    __tablename__ = "personal_data_reads"
    id = Column(Integer, primary_key=True)
    appeal_id = Column(ForeignKey("appeals.id"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    department = Column(String(40), nullable=False)
    label = Column(String(60), nullable=False)  # the staff token's label ("" for the CLI)


@event.listens_for(AppealEvent, "before_update")
@event.listens_for(AppealEvent, "before_delete")
def _append_only(mapper: Any, connection: Any, target: AppealEvent) -> None:
    raise RuntimeError("the appeal event log is append-only")
