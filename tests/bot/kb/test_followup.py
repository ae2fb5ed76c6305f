from __future__ import annotations

import dataclasses

import pytest

from bot.kb.followup import Aspect, detect_aspect, followup_text, is_bare_followup
from bot.kb.schema import Entry
from bot.kb.status import status_line
from bot.kb.store import default_userdict


@pytest.mark.parametrize(
    ("text", "aspect", "bare"),
    [
        ("找哪个部门？", Aspect.DEPARTMENT, True),
        ("这事归哪个部门管", Aspect.DEPARTMENT, True),
        ("需要什么条件？", Aspect.CONDITIONS, True),
        ("有什么要求吗", Aspect.CONDITIONS, True),
        ("怎么申请？", Aspect.HOW, True),
        ("这个在哪办", Aspect.HOW, True),
        ("金卡需要什么条件", Aspect.CONDITIONS, False),
        ("公司注销找哪个部门", Aspect.DEPARTMENT, False),
        ("那银卡呢？", None, False),
        ("好的谢谢", None, False),
    ],
)
def test_followups_are_recognised(text: str, aspect: Aspect | None, bare: bool) -> None:
    assert detect_aspect(text) is aspect
    assert is_bare_followup(text, default_userdict()) is bare


def test_department_followup_names_the_source_departments(
    kb_entries: dict[str, Entry],
) -> None:
    entry = kb_entries["government-services-deregistration"]
    text = followup_text(entry, Aspect.DEPARTMENT)
    assert text.startswith(f"「{entry.title}」的牵头单位是区市场监管局，责任单位是区税务局。")
    assert text.endswith("（依据：嘉府规〔2020〕8号 第十六条）")
    assert text.splitlines()[-2] == status_line(entry.source)
    only_responsible = kb_entries["human-resources-silver-card"]
    assert "责任单位是区人力资源社会保障局" in followup_text(only_responsible, Aspect.DEPARTMENT)


def test_conditions_and_how_use_only_the_entry_fields(kb_entries: dict[str, Entry]) -> None:
    entry = kb_entries["trade-customs-clearance"]
    assert entry.who in followup_text(entry, Aspect.CONDITIONS)
    how = followup_text(entry, Aspect.HOW)
    assert all(channel in how for channel in entry.how)
    bare = dataclasses.replace(entry, how=(), who="")
    assert "原文没有" in followup_text(bare, Aspect.HOW)
    assert "原文没有" in followup_text(bare, Aspect.CONDITIONS)
    assert "12345" in followup_text(bare, Aspect.HOW)
