"""Ours over stock, the level lines and the comparison table."""

from __future__ import annotations

from tools.load import report


def test_ratio_is_ours_over_stock_and_none_without_a_base() -> None:
    assert report.ratio(30.0, 10.0) == 3.0
    assert report.ratio(1.0, 3.0) == 0.33
    assert report.ratio(5.0, 0.0) is None
    assert report.ratio(None, 3.0) is None
    assert report.ratio(5.0, None) is None


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
    assert report.compare(ours, stock) == {
        "throughput": 0.9,
        "p50": 2.0,
        "p95": 3.0,
        "p99": 2.5,
        "cpu": 2.0,
        "rss": 1.8,
        "rss_rasa": 1.1,
    }


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
        "ratios": {"u1": report.compare(ours, stock)},
    }
    lines = report.summary_lines(result)
    assert lines[2].startswith("1 user, 1 s wait") and " stock " in lines[2]
    assert " ours " in lines[3] and "100" in lines[3]
    assert "ours/stock" in lines[4] and "0.9×" in lines[4] and "2×" in lines[4]
    line = report.level_line(
        "ours", "1 user, 1 s wait", {**ours, "requests": 10, "load_generator_cpu_pct": 2.0}
    )
    assert "9 msg/s (10 messages)" in line and "rasa 10% 1000 MiB" in line


def test_memory_line_names_each_process_and_the_total() -> None:
    line = report.memory_line("ours", {"rasa": 1000.0, "service": 80.5}, "peak")
    assert line == "[ours ] resident memory peak: rasa 1000 + service 80.5 = 1080.5 MiB"
