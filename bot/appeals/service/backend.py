"""Assemble the appeal backend for one database: engine, migrations, service, tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine

from bot.appeals.service.rules import RoutingRules, load_rules
from bot.appeals.service.service import AppealService
from bot.appeals.service.store import AppealStore, Clock, now_utc
from bot.appeals.service.workdays import Calendar, ServiceStandard, deadlines
from bot.servicedb.db import make_engine, migrate, session_factory
from bot.servicedb.tokens import TokenStore


@dataclass
class Backend:
    """The parts the API, the CLI and the tests share."""

    engine: Engine
    appeals: AppealService
    tokens: TokenStore


def _deadline_rule(
    standard: ServiceStandard, calendar: Calendar, received: datetime, complexity: str
) -> tuple[datetime, datetime]:
    found = deadlines(received, complexity, standard, calendar)  # type: ignore[arg-type]
    return found.contact_due_at, found.due_at


def open_backend(
    database_url: str,
    *,
    run_migrations: bool = True,
    rules: RoutingRules | None = None,
    clock: Clock = now_utc,
) -> Backend:
    """Connect to ``database_url``, migrate it and make sure the departments are there."""
    if run_migrations:
        migrate(database_url)
    engine = make_engine(database_url)
    factory = session_factory(engine)
    rule = partial(_deadline_rule, ServiceStandard.from_yaml(), Calendar.from_yaml())
    appeals = AppealService(AppealStore(factory, rules or load_rules(), rule, clock))
    appeals.sync_departments()
    return Backend(engine, appeals, TokenStore(factory))
