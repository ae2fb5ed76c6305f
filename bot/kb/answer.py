"""Compose what the bot says about an entry.

The text carries the departments and the document's status and ends with the citation (the
citation stays last: contract 2 of ARCHITECTURE.md, which channels and the console rely on);
the payloads are contract 2 too. When the document no longer applies, the text says so first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import cn2an

from bot.kb.period import EPIDEMIC_2020, TARGET
from bot.kb.schema import Entry
from bot.kb.status import status_line, status_warning
from bot.kb.wording import FORMAT_FILE, format_strings


@dataclass(frozen=True)
class AnswerFormat:
    """Wording around an answer, from policies_kb/format.yml."""

    article: str
    article_separator: str
    citation: str
    lead: str
    responsible: str
    name_separator: str
    period_epidemic: str
    period_target_past: str
    period_target: str


@cache
def answer_format(path: Path = FORMAT_FILE) -> AnswerFormat:
    """Load the wording around an answer."""
    strings = format_strings(path)
    return AnswerFormat(**{f.name: strings[f.name] for f in fields(AnswerFormat)})


def chinese_article(number: int) -> str:
    """Return ``第十七条`` for 17."""
    return answer_format().article.format(n=cn2an.an2cn(number))


def _articles(entry: Entry) -> str:
    """Return the entry's articles as the text cites them: 第十七条、第十八条."""
    fmt = answer_format()
    return fmt.article_separator.join(chinese_article(n) for n in entry.articles)


def citation(entry: Entry) -> str:
    """Return the citation the answer text ends with, e.g. （依据：嘉府规〔2020〕8号 第十七条）."""
    return answer_format().citation.format(source=entry.source, articles=_articles(entry))


def departments_line(entry: Entry) -> str:
    """Name the 牵头单位 and the 责任单位 as the source names them ('' if neither)."""
    fmt = answer_format()
    parts = []
    if entry.lead:
        parts.append(fmt.lead.format(names=fmt.name_separator.join(entry.lead)))
    if entry.responsible:
        parts.append(fmt.responsible.format(names=fmt.name_separator.join(entry.responsible)))
    return "".join(parts)


def period_line(entry: Entry, today: date | None = None) -> str:
    """For a time-bound measure, say which period it was for ('' for an ongoing one)."""
    fmt = answer_format()
    period = entry.period
    if period.kind == EPIDEMIC_2020:
        return fmt.period_epidemic.format(label=period.label)
    if period.kind == TARGET:
        template = fmt.period_target_past if period.is_past(today) else fmt.period_target
        return template.format(label=period.label, year=period.year)
    return ""


def framed(entry: Entry, parts: Sequence[str]) -> str:
    """Frame what is said about `entry` with its document's status, the citation last.

    A warning first when the document lapsed; the status line just before the citation.
    """
    lines = [status_warning(entry.source), *parts, status_line(entry.source)]
    return "\n".join(p for p in lines if p) + "\n" + citation(entry)


def answer_text(entry: Entry, notes: Sequence[str] = ()) -> str:
    """Return the full answer: the entry's answer, departments, period and notes, framed."""
    return framed(entry, [entry.answer, departments_line(entry), period_line(entry), *notes])


def citation_reference(entry: Entry) -> str:
    """Return the document and articles the answer rests on: 嘉府规〔2020〕8号 第十七条."""
    return f"{entry.source} {_articles(entry)}"


def answer_payload(entry: Entry, notes: Sequence[str] = ()) -> dict[str, Any]:
    """Return the ``policy_answer`` payload of contract 2.

    Beyond the contract's keys, what a channel that renders a card needs to say the answer
    once: ``answer`` (the text without departments, status and citation, which the card
    shows), ``citation`` (as the text writes it) and the document's ``status`` lines.
    """
    return {
        "type": "policy_answer",
        "articles": list(entry.articles),
        "entry_id": entry.id,
        "title": entry.title,
        "departments": {"lead": list(entry.lead), "responsible": list(entry.responsible)},
        "source": entry.source,
        "answer": "\n".join(p for p in (entry.answer, period_line(entry), *notes) if p),
        "citation": citation_reference(entry),
        "status": {"warning": status_warning(entry.source), "line": status_line(entry.source)},
    }


def followup_payload(entry: Entry, aspect: str) -> dict[str, Any]:
    """Return the ``policy_followup`` payload: which entry a follow-up was about (no card)."""
    return {
        "type": "policy_followup",
        "entry_id": entry.id,
        "aspect": aspect,
        "articles": list(entry.articles),
    }


def choices_payload(entries: list[Entry]) -> dict[str, Any]:
    """Return the ``policy_choices`` payload of contract 2."""
    return {
        "type": "policy_choices",
        "options": [
            {"entry_id": e.id, "articles": list(e.articles), "title": e.title} for e in entries
        ],
    }
