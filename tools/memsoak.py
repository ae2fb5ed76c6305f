"""Resident memory of the embedded stack over 10,000 messages (issue 6: ≤ 2 GB, steady).

Runs our three processes (tools.load.bots.our_bot), drives them with the load mix at
saturation (20 users, no wait) in rounds of ``--round-s`` seconds until ``--messages``
messages were answered, and prints the resident memory of each process after warm-up and
after every round. Part of `make bench` (about 8 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from tools.load.bots import our_bot, warm_up
from tools.load.levels import Level, run_level
from tools.load.meter import rss_mib

MESSAGES = 10_000
ROUND_S = 60
USERS = 20


def soak(messages: int = MESSAGES, round_s: int = ROUND_S) -> dict[str, Any]:
    """Send at least ``messages`` messages; return the memory after warm-up and each round."""
    samples: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="memsoak-") as tmp, our_bot(Path(tmp)) as bot:
        warm_up(bot.url)
        samples.append({"messages": 0, **rss_mib(bot.pids)})
        sent = 0
        level = Level(USERS, 0.0)
        while sent < messages:
            figures = run_level(bot, level, round_s)
            sent += int(figures["requests"])
            samples.append({"messages": sent, "errors": figures["errors"], **rss_mib(bot.pids)})
            print(f"after {sent} messages: {samples[-1]}", flush=True)
    half = next(s for s in samples if s["messages"] >= messages / 2)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "messages": samples[-1]["messages"],
        "samples": samples,
        "total_mib_after_warm_up": samples[0]["total"],
        "total_mib_at_half": half["total"],
        "total_mib_at_end": samples[-1]["total"],
        "growth_mib_second_half": round(samples[-1]["total"] - half["total"], 1),
    }


def latest() -> dict[str, Any] | None:
    """Return the figures of the last run (results/memsoak.json), if any."""
    path = PROJECT_ROOT / "results" / "memsoak.json"
    if not path.exists():
        return None
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    found.setdefault("date", time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime)))
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the memory figures and write results/memsoak.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--round-s", type=int, default=ROUND_S)
    args = parser.parse_args(argv)
    result = soak(args.messages, args.round_s)
    out = PROJECT_ROOT / "results" / "memsoak.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
