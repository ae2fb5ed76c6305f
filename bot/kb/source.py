"""Parse the source policy document into numbered articles with their departments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.settings import PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT / "policies_kb" / "source"


@dataclass(frozen=True)
class SourceDocument:
    """A source document: its file in SOURCE_DIR and the date it took effect."""

    file: str
    effective: str  # as the document states it
    interpreted_by: str


# Document number -> document; more documents can be added here later.
SOURCES = {
    "嘉府规〔2020〕8号": SourceDocument(
        file="jiading-2020-8.txt", effective="2020年10月25日", interpreted_by="嘉定区人民政府"
    ),
}

_ARTICLE_RE = re.compile(r"^(\d{1,2})\.\s*(.*)$")
# Section headings ("三、健全政企沟通机制", "（一）优化企业政务服务") and the issuing office end an
# article; other lines (page breaks split sentences) continue it.
_HEADING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|上海市嘉定区人民政府办公室)"
)
_DEPTS_RE = re.compile(
    r"[（(](?:牵头单位：(?P<lead>[^；;）)]*)[；;])?\s*责任单位：(?P<resp>[^）)]*)[）)]"
)
_SPLIT_RE = re.compile(r"[、，,]")
_ARTICLE_NUMBER_RE = re.compile(r"(?m)^\s*\d{1,2}\.\s*")


@dataclass(frozen=True)
class Article:
    """One numbered article of a source document."""

    number: int
    text: str  # whitespace removed (the source wraps lines and pads numbers with spaces)
    lead: tuple[str, ...]
    responsible: tuple[str, ...]


def _names(raw: str | None) -> tuple[str, ...]:
    return tuple(name for name in (n.strip() for n in _SPLIT_RE.split(raw or "")) if name)


def parse_articles(text: str) -> dict[int, Article]:
    """Split a document into its numbered articles."""
    chunks: dict[int, list[str]] = {}
    current: int | None = None
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        match = _ARTICLE_RE.match(line)
        if match:
            current = int(match.group(1))
            chunks[current] = [match.group(2)]
        elif _HEADING_RE.match(line):
            current = None
        elif current is not None:
            chunks[current].append(line)
    articles = {}
    for number, lines in chunks.items():
        body = re.sub(r"\s+", "", "".join(lines))
        depts = _DEPTS_RE.search(body)
        lead = _names(depts.group("lead")) if depts else ()
        responsible = _names(depts.group("resp")) if depts else ()
        articles[number] = Article(number, body, lead, responsible)
    return articles


@cache
def load_source(document: str) -> tuple[str, dict[int, Article]]:
    """Return the document's text (no whitespace, no article numbers) and its articles.

    Facts are checked against this text, so an article's number ("20.") does not count as
    the source stating 20 of something.
    """
    path = Path(SOURCE_DIR / SOURCES[document].file)
    text = path.read_text(encoding="utf-8")
    without_numbers = _ARTICLE_NUMBER_RE.sub("", text)
    return re.sub(r"\s+", "", without_numbers), parse_articles(text)
