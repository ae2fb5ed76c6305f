"""Locust's CSV files into figures (no Locust import: it would monkey-patch with gevent)."""

from __future__ import annotations

import pytest

from tools.load import locust_csv

STATS_CSV = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,\
80%,90%,95%,98%,99%,99.9%,99.99%,100%
POST,appeal,18,1,95,101.2,60.1,400.5,700.0,0.6,0.03,95,100,110,120,150,300,400,400,400,400,400
POST,policy,63,0,140,139.4,102.9,1860.2,1484.4,2.1,0.0,140,150,160,160,190,450,900,1800,1900,\
1900,1900
POST,small_talk,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,81,1,120,132.78,60.1,1860.2,1366.5,2.693190008505577,0.03,130,150,160,160,190,\
420,900,1700,1900,1900,1900
"""

FAILURES_CSV = """\
Method,Name,Error,Occurrences,First Seen,Last Seen
POST,policy,HTTP 500,2,1.0,2.0
POST,appeal,ConnectionRefusedError(111),5,1.0,2.0
"""

EXCEPTIONS_CSV = """\
Count,Message,Traceback,Nodes
3,KeyError('q'),"Traceback ...",local
"""


def test_stats_become_figures_with_each_kind() -> None:
    figures = locust_csv.parse_stats(STATS_CSV)
    assert figures["requests"] == 81
    assert figures["failures"] == 1
    assert figures["rps"] == 2.69
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (130, 420, 1700)
    assert figures["max_ms"] == 1860.2
    assert figures["by_kind"]["policy"] == {
        "requests": 63,
        "failures": 0,
        "p50_ms": 140,
        "p95_ms": 450,
        "p99_ms": 1800,
    }
    # A kind without requests has no percentiles (Locust writes N/A).
    assert figures["by_kind"]["small_talk"]["p95_ms"] is None


def test_stats_without_the_aggregate_are_refused() -> None:
    header = STATS_CSV.splitlines()[0] + "\n"
    with pytest.raises(ValueError, match="Aggregated"):
        locust_csv.parse_stats(header)


def test_failures_and_locustfile_exceptions() -> None:
    failures = locust_csv.parse_failures(FAILURES_CSV)
    assert [(f["kind"], f["count"]) for f in failures] == [("appeal", 5), ("policy", 2)]
    assert locust_csv.parse_failures(FAILURES_CSV.splitlines()[0] + "\n") == []
    assert locust_csv.parse_exceptions(EXCEPTIONS_CSV) == [
        {"kind": "locustfile", "error": "KeyError('q')", "count": 3}
    ]
