"""Answer follow-ups about the entry just discussed: which department, what conditions, how.

A follow-up is recognised by its wording (no topic words left once the aspect words are
removed), so "需要什么条件？" after an answer refers to that answer's entry, while
"银卡需要什么条件？" names a new one.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from bot.kb.answer import framed, period_line
from bot.kb.schema import Entry
from bot.kb.text import tokens
from bot.kb.wording import format_strings


class Aspect(str, Enum):
    """What a follow-up asks about an entry."""

    DEPARTMENT = "department"
    CONDITIONS = "conditions"
    HOW = "how"


# Wording that asks about an aspect; the words themselves are not topic words.
ASPECT_PATTERNS = {
    Aspect.DEPARTMENT: "|".join(
        [
            "哪个部门",
            "哪个单位",
            "什么部门",
            "哪些部门",
            "找谁",
            "谁负责",
            "谁管",
            "归谁管",
            "谁牵头",
            "牵头单位",
            "责任单位",
            "主管部门",
            "负责部门",
            "哪里管",
        ]
    ),
    Aspect.CONDITIONS: "|".join(
        [
            "什么条件",
            "啥条件",
            "哪些条件",
            "条件是",
            "有条件",
            "要求",
            "门槛",
            "资格",
            "符合",
            "够不够",
            "能不能享受",
            "可以享受",
            "谁能",
            "哪些企业",
            "什么企业",
            "适用",
        ]
    ),
    Aspect.HOW: "|".join(
        [
            "怎么申请",
            "如何申请",
            "怎么办理",
            "如何办理",
            "怎么办",
            "咋办",
            "去哪办",
            "在哪办",
            "哪里办",
            "在哪里申请",
            "去哪里申请",
            "流程",
            "步骤",
            "渠道",
            "怎么报",
            "申报",
            "网上办",
            "线上办",
            "入口",
            "怎么弄",
            "咋弄",
            "咋申请",
            "怎么申报",
        ]
    ),
}
# Words that only glue a follow-up together ("那", "这个", "的话").
_GLUE = {
    "那",
    "那么",
    "这个",
    "那个",
    "它",
    "这",
    "这项",
    "这条",
    "的话",
    "呢",
    "还有",
    "另外",
    "再问",
    "这事",
    "这件事",
    "事",
    "请问",
    "找",
    "去",
    "到",
    "办",
    "申请",
    "办理",
    "该",
    "应该",
    "具体",
    "一般",
    "部门",
    "单位",
    "归",
    "管",
}


def detect_aspect(text: str) -> Aspect | None:
    """Return the aspect ``text`` asks about, if any (department before conditions before how)."""
    for aspect, pattern in ASPECT_PATTERNS.items():
        if re.search(pattern, text):
            return aspect
    return None


def is_bare_followup(text: str, userdict: Path | None) -> bool:
    """Tell whether ``text`` names no topic of its own once the aspect wording is removed."""
    if detect_aspect(text) is None:
        return False
    remainder = text
    for pattern in ASPECT_PATTERNS.values():
        remainder = re.sub(pattern, " ", remainder)
    return not [t for t in tokens(remainder, userdict) if t not in _GLUE]


def _fmt(key: str) -> str:
    return format_strings()[key]


def _names(names: tuple[str, ...]) -> str:
    return _fmt("name_separator").join(names)


def followup_text(entry: Entry, aspect: Aspect) -> str:
    """Answer ``aspect`` of ``entry`` from its fields, framed as answers are (status, citation)."""
    if aspect is Aspect.DEPARTMENT:
        if entry.lead and entry.responsible:
            key = "followup_department_lead"
        elif entry.lead:
            key = "followup_department_lead_only"
        elif entry.responsible:
            key = "followup_department_responsible"
        else:
            key = "followup_department_none"
        body = _fmt(key).format(
            title=entry.title, lead=_names(entry.lead), responsible=_names(entry.responsible)
        )
    elif aspect is Aspect.CONDITIONS:
        key = "followup_conditions" if entry.who else "followup_conditions_none"
        body = _fmt(key).format(title=entry.title, who=entry.who)
    else:
        contact = _names(entry.lead or entry.responsible) or _fmt("followup_contact_fallback")
        key = "followup_how" if entry.how else "followup_how_none"
        body = _fmt(key).format(title=entry.title, how=_names(entry.how), contact=contact)
    return framed(entry, [body, period_line(entry)])
