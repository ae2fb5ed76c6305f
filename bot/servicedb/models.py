"""Tables every feature of the service shares: the declarative base, departments, staff tokens.

The base names constraints the same way on SQLite and PostgreSQL, so one set of Alembic
migrations (bot/servicedb/migrations) builds every feature's tables. Each feature keeps its
own tables beside its code (bot/appeals/service/models.py, bot/handoff/models.py);
bot/servicedb/schema.py gathers them all.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import declarative_base

# Named constraints, so migrations are the same on SQLite (batch mode) and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING))


class Department(Base):  # type: ignore[misc]
    """A district department or a town (街镇) that can own appeals."""

    __tablename__ = "departments"
    code = Column(String(40), primary_key=True)
    name = Column(String(60), nullable=False, unique=True)
    kind = Column(String(20), nullable=False)  # "district" | "town" | "triage"


class StaffToken(Base):  # type: ignore[misc]
    """A bearer token for staff of one department; only its SHA-256 is stored."""

    __tablename__ = "staff_tokens"
    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    department = Column(ForeignKey("departments.code"), nullable=False)
    label = Column(String(60), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    revoked_at = Column(DateTime(timezone=True), nullable=True)


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware datetime (SQLite hands back naive UTC values)."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
