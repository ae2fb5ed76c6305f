"""The service's job that ends handoffs no agent took in time (the user is offered an appeal)."""

from __future__ import annotations

import logging

from bot.handoff.service import HandoffService
from bot.periodic import PeriodicJob

logger = logging.getLogger(__name__)


class HandoffTimeoutJob(PeriodicJob):
    """Call ``handoffs.expire_waiting()`` every ``interval_s`` seconds until stopped.

    Several service processes may each run it: a handoff is expired by a conditional update,
    so only one process tells its user.
    """

    name = "handoff-timeout"

    def __init__(self, handoffs: HandoffService, interval_s: float) -> None:
        """Keep the service and the interval; nothing runs until start()."""
        super().__init__(interval_s)
        self.handoffs = handoffs

    def run_once(self) -> None:
        """Expire the handoffs that waited too long."""
        expired = self.handoffs.expire_waiting()
        if expired:
            logger.info("handoff timeout: %d handoff(s) expired", len(expired))
