"""The supervision job: flag overdue appeals (督办), escalate them, purge old personal data.

Runs inside the service process (a daemon thread); `python -m bot.routing supervise` runs one
pass by hand or from cron. Several service processes may each run it: a pass only changes
appeals not yet supervised, inside one transaction, so a second pass finds nothing to do.
"""

from __future__ import annotations

import logging
import threading

from bot.routing.service import AppealService

logger = logging.getLogger(__name__)


class SupervisionJob:
    """Call ``appeals.supervise()`` every ``interval_s`` seconds until stopped."""

    def __init__(
        self, appeals: AppealService, interval_s: float, retention_days: int | None = None
    ) -> None:
        """Keep the service and the interval; nothing runs until start().

        With ``retention_days``, each pass also purges the personal data of appeals closed
        longer ago than that.
        """
        self.appeals = appeals
        self.interval_s = interval_s
        self.retention_days = retention_days
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (first pass at once)."""
        self._thread = threading.Thread(target=self._run, name="supervision", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for the current pass."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                flagged = self.appeals.supervise()
                if flagged:
                    logger.info("supervision: %d overdue appeal(s) flagged", len(flagged))
                if self.retention_days is not None:
                    purged = self.appeals.purge_personal_data(self.retention_days)
                    if purged:
                        logger.info("retention: personal data of %d appeal(s) purged", len(purged))
            except Exception:  # a failed pass must not end the job
                logger.exception("supervision pass failed")
            self._stop.wait(self.interval_s)
