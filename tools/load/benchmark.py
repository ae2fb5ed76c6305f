"""The whole load benchmark: every level against the stock bot, then ours; the results file.

Figures are printed and written to results/loadbench.json; Locust's CSV files and the bots'
logs of the last run stay in var/bench/last/.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from tools.load import workload
from tools.load.bots import BENCH_DIR, Bot, appeals_filed, our_bot, stock_bot, warm_up
from tools.load.levels import Level, run_level
from tools.load.meter import MIB, tree_rss
from tools.load.report import compare, level_line, memory_line, summary_lines
from tools.machine import machine

LAST_RUN = BENCH_DIR / "last"
OUT = PROJECT_ROOT / "results" / "loadbench.json"

DEFAULT_DURATION_S = 30
QUICK_DURATION_S = 8
# Between levels: messages still in flight when Locust stopped are answered meanwhile.
PAUSE_S = 3.0
# Per level beyond its duration: Locust's start and stop, the pause.
LEVEL_OVERHEAD_S = 6.0


BotStarter = Callable[[Path], AbstractContextManager[Bot]]


def run(duration_s: int, levels: list[Level]) -> dict[str, Any]:
    """Run every level against the stock bot, then against ours; return the results."""
    result: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "locust": version("locust"),
        "rasa": version("rasa"),
        "duration_s": duration_s,
        "mix": {k: round(v, 3) for k, v in workload.message_mix().items()},
        "levels": [
            {"key": lv.key, "label": lv.label, "users": lv.users, "wait_s": lv.wait_s}
            for lv in levels
        ],
        "bots": {},
    }
    shutil.rmtree(LAST_RUN, ignore_errors=True)
    starters: list[tuple[str, BotStarter]] = [("stock", stock_bot), ("ours", our_bot)]
    for name, starter in starters:
        workdir = LAST_RUN / name
        workdir.mkdir(parents=True)
        with starter(workdir) as bot:
            warm_up(bot.url)
            idle = {n: round(tree_rss(pid) / MIB, 1) for n, pid in bot.pids.items()}
            print(f"[{name:<5}] ready in {bot.ready_s:.1f} s", flush=True)
            print(memory_line(name, idle, "idle, after warm-up"), flush=True)
            figures: dict[str, Any] = {
                "ready_s": round(bot.ready_s, 1),
                "idle_rss_mib": idle,
                "idle_rss_mib_total": round(sum(idle.values()), 1),
                "levels": {},
            }
            result["bots"][name] = figures
            for level in levels:
                f = run_level(bot, level, duration_s)
                figures["levels"][level.key] = f
                print(level_line(name, level.label, f), flush=True)
                if len(f["processes"]) > 1:
                    peak = {n: p["rss_mib"] for n, p in f["processes"].items()}
                    print(memory_line(name, peak, "peak"), flush=True)
                time.sleep(PAUSE_S)
        if name == "ours":
            # Full fills that ended in 确认提交 are stored: the appeal turns did their work.
            figures["appeals_filed"] = appeals_filed(workdir)
        # The databases of the run are not kept (Locust's CSV files and the logs are).
        for db in workdir.glob("*.db"):
            db.unlink()
    stock, ours = result["bots"]["stock"]["levels"], result["bots"]["ours"]["levels"]
    result["ratios"] = {key: compare(ours[key], stock[key]) for key in ours if key in stock}
    return result


def estimate_s(duration_s: int, levels: list[Level]) -> float:
    """Return about how long a run takes (two bots; their start-up not counted)."""
    return 2 * len(levels) * (duration_s + LEVEL_OVERHEAD_S)


def measure(duration_s: int, levels: list[Level]) -> dict[str, Any]:
    """Run the benchmark, print the comparison and write results/loadbench.json."""
    print(
        f"load benchmark: {len(levels)} levels x {duration_s} s x 2 bots, about "
        f"{estimate_s(duration_s, levels) / 60:.0f} min plus start-up; mix "
        + ", ".join(f"{k} {v:.0%}" for k, v in workload.message_mix().items()),
        flush=True,
    )
    started = time.monotonic()
    result = run(duration_s, levels)
    result["total_s"] = round(time.monotonic() - started, 1)
    print()
    print("\n".join(summary_lines(result)))
    print(
        f"appeals filed by our bot: {result['bots']['ours'].get('appeals_filed')}; "
        f"whole run {result['total_s']:.0f} s"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"written to {OUT.relative_to(PROJECT_ROOT)}", flush=True)
    return result


def latest() -> dict[str, Any] | None:
    """Return the figures of the last run (results/loadbench.json), if there is one."""
    if not OUT.exists():
        return None
    data: dict[str, Any] = json.loads(OUT.read_text())
    return data
