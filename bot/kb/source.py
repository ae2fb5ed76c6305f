"""Parse the source policy document into numbered articles with their departments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from bot.kb.errors import KbError
from bot.settings import PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT / "policies_kb" / "source"


DOCUMENTS_FILE = SOURCE_DIR / "documents.yml"


@dataclass(frozen=True)
class SourceDocument:
    """A source document as it describes itself (policies_kb/source/documents.yml)."""

    number: str
    file: str
    title: str
    effective: date
    stated_expiry: date | None  # None: the document states no end of validity
    interpreted_by: str

    @property
    def effective_text(self) -> str:
        """The start date as the document writes it, e.g. 2020年10月25日."""
        return chinese_date(self.effective)


def chinese_date(day: date) -> str:
    """Return 2020年10月25日 for 2020-10-25."""
    return f"{day.year}年{day.month}月{day.day}日"


def _date(value: object, what: str) -> date:
    if isinstance(value, date):
        return value
    raise KbError(DOCUMENTS_FILE, 1, f"{what} must be a date (YYYY-MM-DD), not {value!r}")


@cache
def load_documents(path: Path = DOCUMENTS_FILE) -> dict[str, SourceDocument]:
    """Document number -> document, from documents.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    documents = {}
    for raw in data["documents"]:
        expiry = raw.get("stated_expiry")
        doc = SourceDocument(
            number=str(raw["number"]),
            file=str(raw["file"]),
            title=str(raw["title"]),
            effective=_date(raw["effective"], f"{raw['number']}: effective"),
            stated_expiry=None if expiry is None else _date(expiry, "stated_expiry"),
            interpreted_by=str(raw["interpreted_by"]),
        )
        if not (path.parent / doc.file).exists():
            raise KbError(path, 1, f"{doc.number}: no file {doc.file} beside {path.name}")
        documents[doc.number] = doc
    return documents


# Document number -> document; a new document is a new item in documents.yml.
SOURCES = load_documents()

HEADING_MAX_CHARS = 20
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

    @property
    def heading(self) -> str | None:
        """The article's own name ("支持企业直接融资"), if its first sentence is one.

        Most articles open with a short sentence naming the measure; the first two (goals)
        and the last (entry into force) open with a long one, which is not a name.
        """
        first = self.text.split("。", 1)[0]
        return first if len(first) <= HEADING_MAX_CHARS else None


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
