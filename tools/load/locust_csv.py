"""Locust's CSV files (``*_stats.csv``, ``*_failures.csv``, ``*_exceptions.csv``) into figures.

Pure text parsing: no Locust import (importing Locust would monkey-patch this process with
gevent).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:  # "N/A" when a name has no requests
        return None


def _ms(value: str) -> float | None:
    number = _number(value)
    return None if number is None else round(number, 1)


def _row_figures(row: Mapping[str, str]) -> dict[str, Any]:
    rps = _number(row["Requests/s"])
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": None if rps is None else round(rps, 2),
        "p50_ms": _ms(row["50%"]),
        "p95_ms": _ms(row["95%"]),
        "p99_ms": _ms(row["99%"]),
        "avg_ms": _ms(row["Average Response Time"]),
        "max_ms": _ms(row["Max Response Time"]),
    }


def parse_stats(text: str) -> dict[str, Any]:
    """Turn Locust's ``*_stats.csv`` into figures: the aggregate, and ``by_kind`` per name.

    Locust rounds its percentiles (to two significant digits above 100 ms); ``rps`` is the
    requests over the whole run.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total is None:
        raise ValueError("no Aggregated row in Locust's stats")
    figures = _row_figures(total)
    figures["by_kind"] = {
        r["Name"]: {
            k: v
            for k, v in _row_figures(r).items()
            if k in ("requests", "failures", "p50_ms", "p95_ms", "p99_ms")
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    return figures


def parse_failures(text: str) -> list[dict[str, Any]]:
    """Turn Locust's ``*_failures.csv`` into kinds of errors, most frequent first."""
    failures = [
        {"kind": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
        for r in csv.DictReader(io.StringIO(text))
    ]
    return sorted(failures, key=lambda f: -int(f["count"]))


def parse_exceptions(text: str) -> list[dict[str, Any]]:
    """Turn Locust's ``*_exceptions.csv`` (errors in the locustfile itself) into counts."""
    return [
        {"kind": "locustfile", "error": r["Message"], "count": int(r["Count"])}
        for r in csv.DictReader(io.StringIO(text))
    ]
