"""Load and validate the curated entries in `policies_kb/entries/`.

Every error names the file and line, so staff can fix the YAML they edited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.kb.errors import KbError
from bot.kb.finder_config import FINDER_FILE, FinderConfig, check_tags, load_config
from bot.kb.numbers import unsupported_numbers
from bot.kb.period import Period, parse_period, present_entitlements
from bot.kb.source import SOURCES, load_source
from bot.kb.status import DocumentStatus, contradicting_claims, read_status
from bot.kb.yamlfile import key_lines, read_yaml

ENTRIES_DIR = "entries"
STATUS_FILE = "source/status.yml"
StatusRecords = dict[str, DocumentStatus]
MAX_ANSWER_CHARS = 250
MAX_TITLE_CHARS = 20
MIN_QUESTIONS = 15
MAX_SUMMARY_CHARS = 40
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOPIC_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")

STR_FIELDS = ("id", "title", "source", "answer", "who")
LIST_FIELDS = ("facts", "lead", "responsible", "how", "synonyms", "questions")
# Only entries the policy finder lists have these: the step tags and a one-line summary.
OPTIONAL_FIELDS = ("finder", "summary")

__all__ = ["Entry", "KbError", "load_entries", "load_topic_file", "tidy"]


@dataclass(frozen=True)
class Entry:
    """One curated knowledge-base entry."""

    id: str
    title: str
    source: str
    articles: tuple[int, ...]
    topic: str
    topic_title: str
    answer: str
    facts: tuple[str, ...]
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    who: str
    how: tuple[str, ...]
    period: Period
    synonyms: tuple[str, ...]
    questions: tuple[str, ...]
    path: str
    line: int
    # Policy finder tags (step key, option codes) and one-line summary; None = not listed.
    finder: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    summary: str = ""


_CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def tidy(text: str) -> str:
    """Collapse whitespace and drop the spaces YAML folding leaves between Chinese words."""
    return _CJK_SPACE_RE.sub("", " ".join(text.split()))


def _check_entry(
    raw: Any,
    path: Path,
    line: int,
    keys: dict[str, int],
    topic: str,
    finder: FinderConfig | None,
    status: StatusRecords | None,
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise KbError(path, line, "an entry must be a mapping of fields")

    def fail(field: str, message: str) -> KbError:
        return KbError(path, keys.get(field, line), f"{raw.get('id', 'entry')}: {message}")

    missing = [f for f in (*STR_FIELDS, *LIST_FIELDS, "articles", "period") if f not in raw]
    if missing:
        raise fail("id", f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - {*STR_FIELDS, *LIST_FIELDS, *OPTIONAL_FIELDS, "articles", "period"})
    if unknown:
        raise fail(unknown[0], f"unknown field(s): {', '.join(unknown)}")
    for field in STR_FIELDS:
        if not isinstance(raw[field], str):
            raise fail(field, f"{field} must be text")
    for field in LIST_FIELDS:
        value = raw[field]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail(field, f"{field} must be a list of non-empty texts")
    if not _ID_RE.match(raw["id"]) or not raw["id"].startswith(topic.replace("_", "-") + "-"):
        raise fail("id", f"id must be kebab-case and start with {topic.replace('_', '-')}-")
    if not raw["title"] or len(raw["title"]) > MAX_TITLE_CHARS:
        raise fail("title", f"title must be 1-{MAX_TITLE_CHARS} characters")
    if not raw["answer"] or len(raw["answer"]) > MAX_ANSWER_CHARS:
        raise fail("answer", f"answer must be 1-{MAX_ANSWER_CHARS} characters")
    if len(raw["questions"]) < MIN_QUESTIONS:
        raise fail("questions", f"at least {MIN_QUESTIONS} questions needed")
    if raw["source"] not in SOURCES:
        raise fail("source", f"unknown source {raw['source']!r} (known: {', '.join(SOURCES)})")
    articles = raw["articles"]
    if (
        not isinstance(articles, list)
        or not articles
        or not all(isinstance(a, int) and not isinstance(a, bool) for a in articles)
    ):
        raise fail("articles", "articles must be a non-empty list of article numbers")
    _, source_articles = load_source(raw["source"])
    for number in articles:
        if number not in source_articles:
            raise fail("articles", f"{raw['source']} has no article {number}")
    first = source_articles[articles[0]]
    if tuple(raw["lead"]) != first.lead:
        raise fail("lead", f"lead must be {list(first.lead)} as article {first.number} says")
    if tuple(raw["responsible"]) != first.responsible:
        raise fail(
            "responsible",
            f"responsible must be {list(first.responsible)} as article {first.number} says",
        )
    _check_finder(raw, fail, finder)
    # Numbers must occur in the articles the entry cites, not just anywhere in the document.
    # The document's own date counts too: "2020年疫情期间" dates a past measure.
    cited = (
        "".join(source_articles[n].text for n in articles) + SOURCES[raw["source"]].effective_text
    )
    for field in ("answer", "facts", "summary"):
        texts = raw[field] if field == "facts" else [raw.get(field, "")]
        for text in texts:
            bad = unsupported_numbers(text, cited)
            if bad:
                cites = ", ".join(str(n) for n in articles)
                raise fail(field, f"{', '.join(bad)} in {field} is not in article(s) {cites}")
    try:
        raw["period"] = parse_period(raw["period"])
    except ValueError as exc:
        raise fail("period", str(exc)) from exc
    _check_currency(raw, fail, status)
    return raw


def _check_currency(
    raw: dict[str, Any], fail: Callable[[str, str], KbError], status: StatusRecords | None
) -> None:
    """Refuse present-tense offers of a past measure and claims the recorded status denies."""
    for field in ("answer", "summary"):
        text = raw.get(field, "")
        if raw["period"].is_past():
            offered = present_entitlements(text)
            if offered:
                raise fail(
                    field,
                    f"{field} offers {'、'.join(offered)} as if available today, but the measure "
                    f"is of a past period ({raw['period'].label}); say what was done then",
                )
        if status is not None:
            claims = contradicting_claims(text, status[raw["source"]], SOURCES[raw["source"]])
            if claims:
                raise fail(
                    field,
                    f"{field} claims {'、'.join(claims)} about {raw['source']}, which its status "
                    f"({status[raw['source']].status.value}, source/status.yml) does not support",
                )


def _check_finder(
    raw: dict[str, Any], fail: Callable[[str, str], KbError], finder: FinderConfig | None
) -> None:
    if "finder" not in raw and "summary" not in raw:
        return
    if "finder" not in raw or "summary" not in raw:
        raise fail("finder", "finder and summary go together (the finder lists the summary)")
    if finder is None:
        raise fail("finder", f"finder tags need {FINDER_FILE} beside the entries folder")
    summary = raw["summary"]
    if not isinstance(summary, str) or not 0 < len(summary) <= MAX_SUMMARY_CHARS:
        raise fail("summary", f"summary must be 1-{MAX_SUMMARY_CHARS} characters")
    try:
        raw["finder"] = check_tags(raw["finder"] or {}, finder)
    except ValueError as exc:
        raise fail("finder", str(exc)) from exc


def load_topic_file(
    path: Path, finder: FinderConfig | None = None, status: StatusRecords | None = None
) -> list[Entry]:
    """Load and validate one topic file.

    `finder`: the finder steps entries may be tagged for; `status`: the documents' recorded
    status, which entries must not contradict.
    """
    data, root = read_yaml(path)
    if not isinstance(data, dict) or root is None:
        raise KbError(path, 1, "expected a mapping with topic, topic_title and entries")
    keys = key_lines(root)
    for field in ("topic", "topic_title", "entries"):
        if field not in data:
            raise KbError(path, 1, f"missing {field}")
    topic = data["topic"]
    if not isinstance(topic, str) or not _TOPIC_RE.match(topic) or topic != path.stem:
        raise KbError(path, keys["topic"], f"topic must be snake_case and equal {path.stem!r}")
    if not isinstance(data["entries"], list) or not data["entries"]:
        raise KbError(path, keys["entries"], "entries must be a non-empty list")
    entries_node = next(v for k, v in root.value if k.value == "entries")
    result = []
    for raw, node in zip(data["entries"], entries_node.value, strict=True):
        line = node.start_mark.line + 1
        checked = _check_entry(raw, path, line, key_lines(node), topic, finder, status)
        tags = checked.get("finder")
        result.append(
            Entry(
                id=checked["id"],
                title=checked["title"],
                source=checked["source"],
                articles=tuple(checked["articles"]),
                topic=topic,
                topic_title=str(data["topic_title"]),
                answer=tidy(checked["answer"]),
                facts=tuple(checked["facts"]),
                lead=tuple(checked["lead"]),
                responsible=tuple(checked["responsible"]),
                who=checked["who"],
                how=tuple(checked["how"]),
                period=checked["period"],
                synonyms=tuple(checked["synonyms"]),
                questions=tuple(checked["questions"]),
                path=str(path),
                line=line,
                finder=None if tags is None else tuple(tags.items()),
                summary=checked.get("summary", ""),
            )
        )
    return result


def load_entries(kb_dir: Path) -> list[Entry]:
    """Load every topic file; raise KbError on the first problem, or on repeats across files."""
    entries: list[Entry] = []
    finder = None
    if (kb_dir / FINDER_FILE).exists():
        load_config.cache_clear()
        finder = load_config(kb_dir)
    status_file = kb_dir / STATUS_FILE
    status = read_status(status_file) if status_file.exists() else None
    for path in sorted((kb_dir / ENTRIES_DIR).glob("*.yml")):
        entries.extend(load_topic_file(path, finder, status))
    seen_ids: dict[str, Entry] = {}
    seen_questions: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen_ids:
            other = seen_ids[entry.id]
            raise KbError(
                Path(entry.path), entry.line, f"id {entry.id} repeats {other.path}:{other.line}"
            )
        seen_ids[entry.id] = entry
        for question in entry.questions:
            key = re.sub(r"\W+", "", question)
            if key in seen_questions and seen_questions[key] is not entry:
                other = seen_questions[key]
                raise KbError(
                    Path(entry.path),
                    entry.line,
                    f"question {question!r} of {entry.id} repeats one of {other.id}",
                )
            seen_questions[key] = entry
    return entries
