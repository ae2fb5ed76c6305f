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
    period_line,
)
from bot.kb.period import present_entitlements
from bot.kb.schema import Entry
from bot.kb.status import DocumentStatus, status_line


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
    assert departments_line(entry) == "牵头单位：区经委。" + (
        f"责任单位：{'、'.join(entry.responsible)}。" if entry.responsible else ""
    )
    no_departments = dataclasses.replace(entry, lead=(), responsible=())
    assert departments_line(no_departments) == ""


def test_several_articles_are_all_cited(kb_entries: dict[str, Entry]) -> None:
    entry = dataclasses.replace(kb_entries["framework-goals"], articles=(1, 2))
    assert citation(entry) == "（依据：嘉府规〔2020〕8号 第一条、第二条）"


def test_every_answer_carries_the_status_line_before_the_citation(
    kb_entries: dict[str, Entry],
) -> None:
    for entry in kb_entries.values():
        lines = answer_text(entry).splitlines()
        assert lines[-1] == citation(entry)
        assert lines[-2] == status_line(entry.source)
        assert "文件未写明有效期" in lines[-2] and "12345" in lines[-2]


def test_an_expired_document_is_announced_first(
    kb_entries: dict[str, Entry], expired_document: DocumentStatus
) -> None:
    entry = kb_entries["human-resources-gold-card"]
    text = answer_text(entry)
    assert text.startswith("请注意：嘉府规〔2020〕8号已于2025年10月25日失效")
    assert entry.answer in text and text.endswith(citation(entry))
    assert answer_payload(entry)["status"]["warning"].startswith("请注意：")


def test_departments_name_lead_and_responsible(kb_entries: dict[str, Entry]) -> None:
    both = [e for e in kb_entries.values() if e.lead and e.responsible]
    assert both, "articles with a 牵头单位 also name 责任单位"
    for entry in both:
        line = departments_line(entry)
        assert "牵头单位：" in line and "责任单位：" in line
        assert all(name in line for name in (*entry.lead, *entry.responsible))


def test_past_measures_say_their_period_in_the_past(kb_entries: dict[str, Entry]) -> None:
    past = [e for e in kb_entries.values() if e.period.is_past()]
    assert {a for e in past for a in e.articles} >= {17, 28}, "the 2020 measures are marked"
    for entry in past:
        text = answer_text(entry)
        assert period_line(entry) in text and entry.period.label in text
        assert "往年" in period_line(entry) or "工作目标" in period_line(entry)
        assert not present_entitlements(entry.answer)
    ongoing = next(e for e in kb_entries.values() if e.period.kind == "ongoing")
    assert period_line(ongoing) == ""


def test_payloads_follow_contract_2(kb_entries: dict[str, Entry]) -> None:
    entry = kb_entries["tax-and-funds-loss-carryforward"]
    assert answer_payload(entry) == {
        "type": "policy_answer",
        "articles": [17],
        "entry_id": "tax-and-funds-loss-carryforward",
        "title": entry.title,
        "departments": {"lead": [], "responsible": ["区税务局"]},
        "source": "嘉府规〔2020〕8号",
        "answer": entry.answer + "\n" + period_line(entry),
        "citation": "嘉府规〔2020〕8号 第十七条",
        "status": {"warning": "", "line": status_line("嘉府规〔2020〕8号")},
    }
    other = kb_entries["human-resources-silver-card"]
    assert choices_payload([entry, other]) == {
        "type": "policy_choices",
        "options": [
            {"entry_id": entry.id, "articles": [17], "title": entry.title},
            {"entry_id": other.id, "articles": [29], "title": other.title},
        ],
    }
