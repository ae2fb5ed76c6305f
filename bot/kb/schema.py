"""Load and validate the curated entries in `policies_kb/entries/`.

Every error names the file and line, so staff can fix the YAML they edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kb.numbers import unsupported_numbers
from bot.kb.source import SOURCES, load_source

ENTRIES_DIR = "entries"
MAX_ANSWER_CHARS = 250
MAX_TITLE_CHARS = 20
MIN_QUESTIONS = 15
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOPIC_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")

STR_FIELDS = ("id", "title", "source", "answer", "who", "period")
LIST_FIELDS = ("facts", "lead", "responsible", "how", "synonyms", "questions")


class KbError(ValueError):
    """A problem in a knowledge-base file, with the file and line where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


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
    period: str
    synonyms: tuple[str, ...]
    questions: tuple[str, ...]
    path: str
    line: int


_CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def tidy(text: str) -> str:
    """Collapse whitespace and drop the spaces YAML folding leaves between Chinese words."""
    return _CJK_SPACE_RE.sub("", " ".join(text.split()))


def _key_lines(node: yaml.Node) -> dict[str, int]:
    """Map each key of a YAML mapping node to its 1-based line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value}


def _check_entry(
    raw: Any, path: Path, line: int, keys: dict[str, int], topic: str
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise KbError(path, line, "an entry must be a mapping of fields")

    def fail(field: str, message: str) -> KbError:
        return KbError(path, keys.get(field, line), f"{raw.get('id', 'entry')}: {message}")

    missing = [f for f in (*STR_FIELDS, *LIST_FIELDS, "articles") if f not in raw]
    if missing:
        raise fail("id", f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - {*STR_FIELDS, *LIST_FIELDS, "articles"})
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
    compact, source_articles = load_source(raw["source"])
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
    for field in ("answer", "facts"):
        texts = [raw[field]] if field == "answer" else raw[field]
        for text in texts:
            bad = unsupported_numbers(text, compact)
            if bad:
                raise fail(field, f"{', '.join(bad)} in {field} does not occur in the source")
    return raw


def load_topic_file(path: Path) -> list[Entry]:
    """Load and validate one topic file."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise KbError(path, line, f"not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict) or root is None:
        raise KbError(path, 1, "expected a mapping with topic, topic_title and entries")
    keys = _key_lines(root)
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
        checked = _check_entry(raw, path, line, _key_lines(node), topic)
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
            )
        )
    return result


def load_entries(kb_dir: Path) -> list[Entry]:
    """Load every topic file; raise KbError on the first problem, or on repeats across files."""
    entries: list[Entry] = []
    for path in sorted((kb_dir / ENTRIES_DIR).glob("*.yml")):
        entries.extend(load_topic_file(path))
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
