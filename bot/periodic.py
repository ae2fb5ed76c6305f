"""A background thread that runs one pass of a job every few seconds until stopped."""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)


class PeriodicJob:
    """Call ``run_once()`` every ``interval_s`` seconds (first pass at once) until stopped.

    Subclasses implement ``run_once``; a failed pass is logged and does not end the job.
    """

    name = "periodic job"

    def __init__(self, interval_s: float) -> None:
        """Keep the interval; nothing runs until start()."""
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        """Do one pass."""
        raise NotImplementedError

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for the current pass."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("%s: pass failed", self.name)
            self._stop.wait(self.interval_s)
