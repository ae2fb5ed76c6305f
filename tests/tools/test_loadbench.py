"""The load benchmark's pure parts: Locust's CSV into figures, ratios, the message mix.

No server and no Locust here (importing Locust would monkey-patch this process with gevent).
"""

from __future__ import annotations

import argparse
import os
import random
import time

import pytest

from bot.appeals import fields
from tools import loadbench
from tools.load import workload

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
    figures = loadbench.parse_stats(STATS_CSV)
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
        loadbench.parse_stats(header)


def test_failures_and_locustfile_exceptions() -> None:
    failures = loadbench.parse_failures(FAILURES_CSV)
    assert [(f["kind"], f["count"]) for f in failures] == [("appeal", 5), ("policy", 2)]
    assert loadbench.parse_failures(FAILURES_CSV.splitlines()[0] + "\n") == []
    assert loadbench.parse_exceptions(EXCEPTIONS_CSV) == [
        {"kind": "locustfile", "error": "KeyError('q')", "count": 3}
    ]


def test_ratio_is_ours_over_stock_and_none_without_a_base() -> None:
    assert loadbench.ratio(30.0, 10.0) == 3.0
    assert loadbench.ratio(1.0, 3.0) == 0.33
    assert loadbench.ratio(5.0, 0.0) is None
    assert loadbench.ratio(None, 3.0) is None
    assert loadbench.ratio(5.0, None) is None


def test_compare_gives_every_ratio() -> None:
    stock = {
        "rps": 10.0,
        "p50_ms": 50.0,
        "p95_ms": 100.0,
        "p99_ms": 200.0,
        "cpu_pct_total": 40.0,
        "rss_mib_total": 1000.0,
        "processes": {"rasa": {"cpu_pct": 40.0, "rss_mib": 1000.0}},
    }
    ours = {
        "rps": 9.0,
        "p50_ms": 100.0,
        "p95_ms": 300.0,
        "p99_ms": 500.0,
        "cpu_pct_total": 80.0,
        "rss_mib_total": 1800.0,
        "processes": {
            "rasa": {"cpu_pct": 60.0, "rss_mib": 1100.0},
            "action_server": {"cpu_pct": 15.0, "rss_mib": 620.0},
            "service": {"cpu_pct": 5.0, "rss_mib": 80.0},
        },
    }
    assert loadbench.compare(ours, stock) == {
        "throughput": 0.9,
        "p50": 2.0,
        "p95": 3.0,
        "p99": 2.5,
        "cpu": 2.0,
        "rss": 1.8,
        "rss_rasa": 1.1,
    }


def test_cpu_percent_is_of_one_core() -> None:
    assert loadbench.cpu_percent(3.0, 10.0) == 30.0
    assert loadbench.cpu_percent(15.0, 10.0) == 150.0  # more than one core
    assert loadbench.cpu_percent(1.0, 0.0) == 0.0


def test_levels_end_with_saturation() -> None:
    levels = loadbench.make_levels([1, 10], 20)
    assert [(lv.key, lv.label) for lv in levels] == [
        ("u1", "1 user, 1 s wait"),
        ("u10", "10 users, 1 s wait"),
        ("sat20", "20 users, no wait"),
    ]
    assert [lv.key for lv in loadbench.make_levels([5], 0)] == ["u5"]
    assert loadbench.parse_users("1, 10,20,50") == [1, 10, 20, 50]
    with pytest.raises(argparse.ArgumentTypeError):
        loadbench.parse_users("0,10")


def test_the_message_mix_is_70_20_10() -> None:
    mix = workload.message_mix()
    assert mix == pytest.approx({"policy": 0.7, "appeal": 0.2, "small_talk": 0.1})
    # Weights count tasks; an appeal task sends several messages.
    assert workload.message_mix({"a": 1, "b": 1}, {"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}


def test_an_appeal_task_sends_a_valid_fill_then_confirms_or_cancels() -> None:
    rng = random.Random(7)
    for _ in range(20):
        turns = workload.appeal_turns(rng)
        assert len(turns) == workload.APPEAL_TURNS == workload.TURNS["appeal"]
        opening, name, code, contact, phone, town, category, description, ending = turns
        assert opening in workload.APPEAL_OPENINGS
        for check, value in (
            (fields.enterprise_name, name),
            (fields.credit_code, code),
            (fields.contact_name, contact),
            (fields.phone, phone),
            (fields.town, town),
            (fields.category, category),
            (fields.description, description),
        ):
            assert isinstance(check(value), fields.Valid), (check.__name__, value)
        assert ending in ("确认提交", "取消")


def test_policy_questions_come_from_the_development_set() -> None:
    questions = workload.policy_questions()
    assert len(questions) > 100 and all(questions)


def test_scripts_send_the_mix_and_are_the_same_for_the_same_user() -> None:
    sent = {kind: 0 for kind in workload.WEIGHTS}
    for user in range(50):
        script = workload.Script(user, seed="test")
        for _ in range(200):
            kind, messages = script.next_task()
            assert len(messages) == workload.TURNS[kind]
            sent[kind] += len(messages)
    total = sum(sent.values())
    shares = {kind: n / total for kind, n in sent.items()}
    assert shares == pytest.approx({"policy": 0.7, "appeal": 0.2, "small_talk": 0.1}, abs=0.02)

    def first_tasks(user: int, seed: str) -> list[tuple[str, list[str]]]:
        script = workload.Script(user, seed=seed)
        return [script.next_task() for _ in range(30)]

    # User n says the same to every bot; another user or seed says something else.
    assert first_tasks(3, "a") == first_tasks(3, "a")
    assert first_tasks(3, "a") != first_tasks(4, "a")
    assert first_tasks(3, "a") != first_tasks(3, "b")


def test_summary_table_has_both_bots_and_the_ratios() -> None:
    level = {"processes": {"rasa": {"cpu_pct": 10.0, "rss_mib": 1000.0}}, "errors": 0}
    stock = {
        **level,
        "rps": 10.0,
        "p50_ms": 50.0,
        "p95_ms": 80.0,
        "p99_ms": 90.0,
        "cpu_pct_total": 10.0,
        "rss_mib_total": 1000.0,
    }
    ours = {**stock, "rps": 9.0, "p50_ms": 100.0}
    result = {
        "levels": [{"key": "u1", "label": "1 user, 1 s wait"}],
        "bots": {"stock": {"levels": {"u1": stock}}, "ours": {"levels": {"u1": ours}}},
        "ratios": {"u1": loadbench.compare(ours, stock)},
    }
    lines = loadbench.summary_lines(result)
    assert lines[2].startswith("1 user, 1 s wait") and " stock " in lines[2]
    assert " ours " in lines[3] and "100" in lines[3]
    assert "ours/stock" in lines[4] and "0.9×" in lines[4] and "2×" in lines[4]
    line = loadbench.level_line(
        "ours", "1 user, 1 s wait", {**ours, "requests": 10, "load_generator_cpu_pct": 2.0}
    )
    assert "9 msg/s (10 messages)" in line and "rasa 10% 1000 MiB" in line


def test_the_meter_measures_this_process() -> None:
    # No server: the test process itself is the tree measured.
    meter = loadbench.ProcessMeter({"me": os.getpid()})
    meter.start()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    wall, figures = meter.stop()
    assert wall > 0.25
    assert 5 < figures["me"]["cpu_pct"] <= 100 * (os.cpu_count() or 1)
    assert figures["me"]["rss_mib"] > 10
