from __future__ import annotations

import dataclasses

import pytest

from bot.kb.answer import (
    answer_payload,
    answer_text,
    chinese_article,
    choices_payload,
    citation,
    departments_line,
)
from bot.kb.schema import Entry


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "第一条"),
        (10, "第十条"),
        (11, "第十一条"),
        (17, "第十七条"),
        (20, "第二十条"),
        (35, "第三十五条"),
    ],
)
def test_article_numbers_in_chinese(number: int, text: str) -> None:
    assert chinese_article(number) == text


def test_answer_ends_with_the_citation(kb_entries: dict[str, Entry]) -> None:
    entry = kb_entries["human-resources-gold-card"]
    text = answer_text(entry)
    assert text.startswith(entry.answer)
    assert text.endswith("（依据：嘉府规〔2020〕8号 第二十九条）")
    assert "责任单位：区人力资源社会保障局。" in text


def test_lead_department_is_named_where_the_source_names_one(
    kb_entries: dict[str, Entry],
) -> None:
    entry = kb_entries["communication-key-projects"]
    assert departments_line(entry) == "牵头单位：区经委。"
    no_departments = dataclasses.replace(entry, lead=(), responsible=())
    assert departments_line(no_departments) == ""


def test_several_articles_are_all_cited(kb_entries: dict[str, Entry]) -> None:
    entry = dataclasses.replace(kb_entries["framework-goals"], articles=(1, 2))
    assert citation(entry) == "（依据：嘉府规〔2020〕8号 第一条、第二条）"


def test_time_bound_measures_say_their_period(kb_entries: dict[str, Entry]) -> None:
    timed = [e for e in kb_entries.values() if e.period]
    assert timed, "the 2020 measures of articles 17 and 28 carry their period"
    for entry in timed:
        text = answer_text(entry)
        assert entry.period in text and "2020年10月25日" in text
    assert {a for e in timed for a in e.articles} >= {17, 28}


def test_payloads_follow_contract_2(kb_entries: dict[str, Entry]) -> None:
    entry = kb_entries["tax-and-funds-loss-carryforward"]
    assert answer_payload(entry) == {
        "type": "policy_answer",
        "articles": [17],
        "entry_id": "tax-and-funds-loss-carryforward",
        "title": entry.title,
        "departments": {"lead": [], "responsible": ["区税务局"]},
        "source": "嘉府规〔2020〕8号",
    }
    other = kb_entries["human-resources-silver-card"]
    assert choices_payload([entry, other]) == {
        "type": "policy_choices",
        "options": [
            {"entry_id": entry.id, "articles": [17], "title": entry.title},
            {"entry_id": other.id, "articles": [29], "title": other.title},
        ],
    }
