"""Compose what the bot says about an entry.

The text carries the departments and ends with the citation; the payloads are contract 2 of
ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import cn2an
import yaml

from bot.kb.schema import Entry
from bot.kb.source import SOURCES
from bot.settings import PROJECT_ROOT

FORMAT_FILE = PROJECT_ROOT / "policies_kb" / "format.yml"


@dataclass(frozen=True)
class AnswerFormat:
    """Wording around an answer, from policies_kb/format.yml."""

    article: str
    article_separator: str
    citation: str
    lead: str
    responsible: str
    name_separator: str
    period: str


@cache
def format_strings(path: Path = FORMAT_FILE) -> dict[str, str]:
    """Load every wording template of policies_kb/format.yml."""
    return {str(k): str(v) for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items()}


@cache
def answer_format(path: Path = FORMAT_FILE) -> AnswerFormat:
    """Load the wording around an answer."""
    strings = format_strings(path)
    return AnswerFormat(**{f.name: strings[f.name] for f in fields(AnswerFormat)})


def chinese_article(number: int) -> str:
    """Return ``第十七条`` for 17."""
    return answer_format().article.format(n=cn2an.an2cn(number))


def citation(entry: Entry) -> str:
    """Return the citation the answer text ends with, e.g. （依据：嘉府规〔2020〕8号 第十七条）."""
    fmt = answer_format()
    articles = fmt.article_separator.join(chinese_article(n) for n in entry.articles)
    return fmt.citation.format(source=entry.source, articles=articles)


def departments_line(entry: Entry) -> str:
    """Name the 牵头单位 where the source names one, otherwise the 责任单位 ('' if neither)."""
    fmt = answer_format()
    if entry.lead:
        return fmt.lead.format(names=fmt.name_separator.join(entry.lead))
    if entry.responsible:
        return fmt.responsible.format(names=fmt.name_separator.join(entry.responsible))
    return ""


def period_line(entry: Entry) -> str:
    """For a time-bound measure, say which period it was for ('' otherwise)."""
    if not entry.period:
        return ""
    return answer_format().period.format(
        period=entry.period, effective=SOURCES[entry.source].effective
    )


def answer_text(entry: Entry, notes: Sequence[str] = ()) -> str:
    """Return the full answer: the entry's answer, departments, period, notes, citation."""
    parts = [entry.answer, departments_line(entry), period_line(entry), *notes]
    return "\n".join(p for p in parts if p) + "\n" + citation(entry)


def answer_payload(entry: Entry) -> dict[str, Any]:
    """Return the ``policy_answer`` payload of contract 2."""
    return {
        "type": "policy_answer",
        "articles": list(entry.articles),
        "entry_id": entry.id,
        "title": entry.title,
        "departments": {"lead": list(entry.lead), "responsible": list(entry.responsible)},
        "source": entry.source,
    }


def choices_payload(entries: list[Entry]) -> dict[str, Any]:
    """Return the ``policy_choices`` payload of contract 2."""
    return {
        "type": "policy_choices",
        "options": [
            {"entry_id": e.id, "articles": list(e.articles), "title": e.title} for e in entries
        ],
    }
