"""The load benchmark's figures for people: ours over stock, a line per level, the table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def ratio(ours: float | None, stock: float | None) -> float | None:
    """Return ours / stock (two decimals), or None when either is missing or stock is 0."""
    if ours is None or not stock:
        return None
    return round(ours / stock, 2)


RATIO_FIGURES = {
    "throughput": "rps",
    "p50": "p50_ms",
    "p95": "p95_ms",
    "p99": "p99_ms",
    "cpu": "cpu_pct_total",
    "rss": "rss_mib_total",
}


def compare(ours: Mapping[str, Any], stock: Mapping[str, Any]) -> dict[str, float | None]:
    """Return our figures of one level over the stock bot's (throughput, latency, CPU, RSS)."""
    ratios = {name: ratio(ours.get(key), stock.get(key)) for name, key in RATIO_FIGURES.items()}
    ours_rasa = ours.get("processes", {}).get("rasa", {}).get("rss_mib")
    stock_rasa = stock.get("processes", {}).get("rasa", {}).get("rss_mib")
    ratios["rss_rasa"] = ratio(ours_rasa, stock_rasa)
    return ratios


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}{suffix}"
    return f"{value}{suffix}"


def level_line(bot: str, label: str, f: Mapping[str, Any]) -> str:
    """Return one level's figures for one bot as a line."""
    procs = ", ".join(
        f"{name} {p['cpu_pct']:g}% {p['rss_mib']:g} MiB" for name, p in f["processes"].items()
    )
    return (
        f"[{bot:<5}] {label}: {_fmt(f['rps'])} msg/s ({f['requests']} messages), "
        f"p50 {_fmt(f['p50_ms'])} ms, p95 {_fmt(f['p95_ms'])} ms, p99 {_fmt(f['p99_ms'])} ms, "
        f"{f['errors']} errors; CPU/RSS: {procs}; Locust {_fmt(f['load_generator_cpu_pct'])}% CPU"
    )


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """Return the comparison table: each level, both bots, and ours over stock."""
    head = (
        f"{'level':<20} {'bot':<10} {'msg/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'errors':>6} {'CPU%':>6} {'RSS MiB':>8}"
    )
    lines = [head, "-" * len(head)]
    bots = result.get("bots", {})
    for level in result.get("levels", []):
        key = level["key"]
        rows = [(name, bots[name]["levels"].get(key)) for name in ("stock", "ours") if name in bots]
        for i, (name, f) in enumerate(rows):
            if f is None:
                continue
            label = level["label"] if i == 0 else ""
            lines.append(
                f"{label:<20} {name:<10} {_fmt(f['rps']):>7} {_fmt(f['p50_ms']):>7} "
                f"{_fmt(f['p95_ms']):>7} {_fmt(f['p99_ms']):>7} {f['errors']:>6} "
                f"{_fmt(f['cpu_pct_total']):>6} {_fmt(f['rss_mib_total']):>8}"
            )
        r = result.get("ratios", {}).get(key)
        if r:
            lines.append(
                f"{'':<20} {'ours/stock':<10} {_fmt(r['throughput'], '×'):>7} "
                f"{_fmt(r['p50'], '×'):>7} {_fmt(r['p95'], '×'):>7} {_fmt(r['p99'], '×'):>7} "
                f"{'':>6} {_fmt(r['cpu'], '×'):>6} {_fmt(r['rss'], '×'):>8}"
            )
    return lines


def memory_line(bot: str, rss: Mapping[str, float], when: str) -> str:
    """Return one bot's resident memory per process and in total as a line."""
    parts = " + ".join(f"{name} {mib:g}" for name, mib in rss.items())
    total = round(sum(rss.values()), 1)
    return f"[{bot:<5}] resident memory {when}: {parts} = {total:g} MiB"
