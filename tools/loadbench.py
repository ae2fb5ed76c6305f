"""`make loadbench`: load benchmark of the REST channel, ours side by side with a stock Rasa bot.

Both bots get the same traffic (tools/load/locustfile.py, run headless by Locust): each
simulated user is one conversation, 70% policy questions, 20% appeal-form turns, 10% small
talk. Levels: 1, 10, 20 and 50 users with 1 s between a user's messages, then saturation
(20 users, no wait). For each level: throughput, p50/p95/p99 latency, errors, CPU and resident
memory of each process (its children included), and our figures over the stock bot's.

The stock bot is what ``rasa init --no-prompt`` writes and trains, cached in var/bench/stock
(retrained only when the Rasa version changes); ours is the embedded profile (bot.stack: SQLite
tracker, in-memory lock store, one process each) with the repository's model. Figures are
printed and written to results/loadbench.json; Locust's CSV files and the bots' logs of the
last run stay in var/bench/last/.
"""

from __future__ import annotations

import argparse
import sys

from tools.load.benchmark import DEFAULT_DURATION_S, QUICK_DURATION_S, measure
from tools.load.levels import DEFAULT_USERS, SATURATION_USERS, make_levels, parse_users


def main(argv: list[str] | None = None) -> int:
    """Run the load benchmark (``python -m tools.loadbench``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_DURATION_S} s per level (a smoke run)"
    )
    parser.add_argument("--duration", type=int, help=f"seconds per level ({DEFAULT_DURATION_S})")
    parser.add_argument(
        "--levels",
        type=parse_users,
        default=list(DEFAULT_USERS),
        help="user counts with 1 s wait, comma-separated (1,10,20,50)",
    )
    parser.add_argument(
        "--saturation-users",
        type=int,
        default=SATURATION_USERS,
        help=f"users of the no-wait level ({SATURATION_USERS}; 0: none)",
    )
    args = parser.parse_args(argv)
    duration = args.duration or (QUICK_DURATION_S if args.quick else DEFAULT_DURATION_S)
    measure(duration, make_levels(args.levels, args.saturation_users))
    return 0


if __name__ == "__main__":
    sys.exit(main())
