"""The supervision job: flag overdue appeals (督办), escalate them, purge old personal data.

Runs inside the service process (a daemon thread); `python -m bot.appeals.service supervise`
runs one pass by hand or from cron. Several service processes may each run it: a pass only changes
appeals not yet supervised, inside one transaction, so a second pass finds nothing to do.
"""

from __future__ import annotations

import logging

from bot.appeals.service.service import AppealService
from bot.periodic import PeriodicJob

logger = logging.getLogger(__name__)


class SupervisionJob(PeriodicJob):
    """Call ``appeals.supervise()`` every ``interval_s`` seconds until stopped."""

    name = "supervision"

    def __init__(
        self, appeals: AppealService, interval_s: float, retention_days: int | None = None
    ) -> None:
        """Keep the service and the interval; nothing runs until start().

        With ``retention_days``, each pass also purges the personal data of appeals closed
        longer ago than that.
        """
        super().__init__(interval_s)
        self.appeals = appeals
        self.retention_days = retention_days

    def run_once(self) -> None:
        """Flag overdue appeals, then purge expired personal data."""
        flagged = self.appeals.supervise()
        if flagged:
            logger.info("supervision: %d overdue appeal(s) flagged", len(flagged))
        if self.retention_days is not None:
            purged = self.appeals.purge_personal_data(self.retention_days)
            if purged:
                logger.info("retention: personal data of %d appeal(s) purged", len(purged))
