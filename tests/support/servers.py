"""What the throwaway test servers (nginx, Redis) share: waiting until ready, and stopping."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable

STOP_TIMEOUT_S = 10
POLL_S = 0.05


def wait_until_ready(
    process: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    timeout_s: float,
    timed_out: Callable[[], str],
) -> bool:
    """Poll ``ready()`` until it holds (True) or the process exits first (False).

    Past ``timeout_s`` raise RuntimeError with the message ``timed_out()`` gives (a log tail).
    """
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            return False
        if ready():
            return True
        if time.monotonic() > deadline:
            raise RuntimeError(timed_out())
        time.sleep(POLL_S)


def stop(process: subprocess.Popen[bytes], graceful: signal.Signals = signal.SIGTERM) -> None:
    """Send ``graceful``, then SIGKILL if the process lingers past STOP_TIMEOUT_S."""
    if process.poll() is not None:
        return
    process.send_signal(graceful)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
