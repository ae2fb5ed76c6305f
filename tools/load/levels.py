"""Load levels (concurrent users, wait between messages) and one level run with Locust.

:func:`run_level` drives a bot with tools/load/locustfile.py (headless Locust in a child
process, so this process is not monkey-patched by gevent) and measures the bot's processes
while the users are active.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from tools.load import workload
from tools.load.bots import Bot, child_env, log_tail
from tools.load.locust_csv import parse_exceptions, parse_failures, parse_stats
from tools.load.meter import ProcessMeter

LOCUSTFILE = PROJECT_ROOT / "tools" / "load" / "locustfile.py"

DEFAULT_USERS = (1, 10, 20, 50)
SATURATION_USERS = 20
RAMPING_MARK = "Ramping to"
SHUTDOWN_MARK = "Shutting down"


@dataclass(frozen=True)
class Level:
    """Concurrent users and the wait between one user's messages (0: saturation)."""

    users: int
    wait_s: float

    @property
    def key(self) -> str:
        """Return the level's key in the JSON results."""
        return f"u{self.users}" if self.wait_s else f"sat{self.users}"

    @property
    def label(self) -> str:
        """Return the level as people read it."""
        who = "1 user" if self.users == 1 else f"{self.users} users"
        return f"{who}, {self.wait_s:g} s wait" if self.wait_s else f"{who}, no wait"


def make_levels(users: list[int], saturation_users: int, wait_s: float = 1.0) -> list[Level]:
    """Return the levels: each user count with ``wait_s``, then saturation (0: none)."""
    levels = [Level(n, wait_s) for n in users]
    if saturation_users:
        levels.append(Level(saturation_users, 0.0))
    return levels


def parse_users(text: str) -> list[int]:
    """Parse ``--levels`` (comma-separated positive user counts)."""
    users = [int(part) for part in text.split(",") if part.strip()]
    if not users or min(users) < 1:
        raise argparse.ArgumentTypeError("levels: comma-separated user counts, each at least 1")
    return users


def run_level(
    bot: Bot, level: Level, duration_s: int, extra_env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Drive ``bot`` with Locust at ``level`` for ``duration_s``; measure its processes."""
    prefix = bot.workdir / f"{bot.name}-{level.key}"
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(level.users),
        "--spawn-rate",
        str(level.users),
        "--run-time",
        f"{duration_s}s",
        "--host",
        bot.url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "INFO",
    ]
    env = child_env(
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        **{workload.WAIT_ENV: str(level.wait_s)},
        **(extra_env or {}),
    )
    log_path = prefix.with_suffix(".log")
    with open(log_path, "w", encoding="utf-8") as log:
        locust = subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        meter = ProcessMeter({**bot.pids, "locust": locust.pid})
        measuring = False
        window_s = 0.0
        processes: dict[str, dict[str, float]] = {}
        assert locust.stderr is not None
        try:
            for line in locust.stderr:
                log.write(line)
                if RAMPING_MARK in line and not measuring:
                    meter.start()
                    measuring = True
                elif SHUTDOWN_MARK in line and measuring:
                    window_s, processes = meter.stop()
                    measuring = False
            code = locust.wait(timeout=duration_s + 60)
        finally:
            if locust.poll() is None:
                os.killpg(locust.pid, signal.SIGKILL)
                locust.wait()
            if measuring:
                window_s, processes = meter.stop()
    stats_path = Path(f"{prefix}_stats.csv")
    if code != 0 or not stats_path.exists():
        raise RuntimeError(f"Locust failed (exit code {code}):\n{log_tail(log_path)}")
    figures = parse_stats(stats_path.read_text(encoding="utf-8"))
    errors = parse_failures(Path(f"{prefix}_failures.csv").read_text(encoding="utf-8"))
    exceptions_csv = Path(f"{prefix}_exceptions.csv")
    if exceptions_csv.exists():
        errors += parse_exceptions(exceptions_csv.read_text(encoding="utf-8"))
    load_generator = processes.pop("locust", {})
    sent = figures["requests"] or 1
    figures.update(
        # The mix sent: short levels cut appeal fills short (Locust stops users mid-task).
        mix={kind: round(k["requests"] / sent, 3) for kind, k in figures["by_kind"].items()},
        users=level.users,
        wait_s=level.wait_s,
        window_s=round(window_s, 1),
        errors=figures["failures"] + sum(e["count"] for e in errors if e["kind"] == "locustfile"),
        error_kinds=errors[:5],
        processes=processes,
        cpu_pct_total=round(sum(p["cpu_pct"] for p in processes.values()), 1),
        rss_mib_total=round(sum(p["rss_mib"] for p in processes.values()), 1),
        load_generator_cpu_pct=load_generator.get("cpu_pct"),
    )
    return figures
