"""The appeal backend's operations on one database, as the API, the CLI and the jobs call them.

:class:`AppealService` is a façade: each responsibility lives in its own module and class —
filing with idempotency (filing.py), reading (queries.py), the loop's steps and the rating
(steps.py), supervision (supervision.py), retention (retention.py), statistics (stats.py) —
all on one :class:`~bot.appeals.service.store.AppealStore`, so they share the database, the
rules, the deadlines and the clock.
"""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from bot.appeals.service.filing import Filing
from bot.appeals.service.queries import Queries
from bot.appeals.service.retention import Retention
from bot.appeals.service.rules import RoutingRules
from bot.appeals.service.stats import Statistics
from bot.appeals.service.steps import Steps
from bot.appeals.service.store import AppealStore, Clock
from bot.appeals.service.supervision import Supervision


class AppealService:
    """Every appeal operation, each delegated to the part that owns it."""

    def __init__(self, store: AppealStore) -> None:
        """Build every part on ``store``: one database, rules, deadlines and clock for all."""
        self.store = store
        self.filing = Filing(self.store)
        self.queries = Queries(self.store)
        self.steps = Steps(self.store)
        self.supervision = Supervision(self.store)
        self.retention = Retention(self.store)
        self.statistics = Statistics(self.store)
        # The operations, under the names callers use.
        self.sync_departments = self.store.sync_departments
        self.create = self.filing.create
        self.public_view = self.queries.public_view
        self.staff_view = self.queries.staff_view
        self.personal_data_reads = self.queries.personal_data_reads
        self.list_appeals = self.queries.list_appeals
        self.act = self.steps.act
        self.rate = self.steps.rate
        self.supervise = self.supervision.supervise
        self.purge_personal_data = self.retention.purge_personal_data
        self.stats = self.statistics.per_department

    @property
    def factory(self) -> sessionmaker:
        """The session factory of the appeal database (the handoff service shares it)."""
        return self.store.factory

    @property
    def rules(self) -> RoutingRules:
        """The routing rules: departments, the triage department, proposals."""
        return self.store.rules

    @property
    def clock(self) -> Clock:
        """The clock every part reads."""
        return self.store.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        """Move every part to ``clock`` (tests set a fake one on a running app)."""
        self.store.clock = clock
