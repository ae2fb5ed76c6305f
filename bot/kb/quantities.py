"""Find amounts and areas in a question and compare them with the source's thresholds.

A spaCy pipeline built here (``spacy.blank("zh")`` with the jieba segmenter, no downloaded
model) gets one rule-based component that marks quantities as entities (CNY, USD, AREA)
with their normalised value; the thresholds come from `policies_kb/thresholds.yml`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import cn2an
import spacy
import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span

from bot.kb.numbers import unsupported_numbers
from bot.kb.schema import KbError
from bot.kb.source import SOURCES, load_source
from bot.kb.wording import format_strings
from bot.settings import PROJECT_ROOT

THRESHOLDS_FILE = PROJECT_ROOT / "policies_kb" / "thresholds.yml"
UNITS = {  # what users write -> quantity kind
    "美元": "USD",
    "美金": "USD",
    "万美元": "USD",
    "元": "CNY",
    "块": "CNY",
    "块钱": "CNY",
    "人民币": "CNY",
    "平方米": "AREA",
    "平米": "AREA",
    "平方": "AREA",
    "㎡": "AREA",
    "平": "AREA",
}
_NUMERAL = r"[0-9０-９.点零〇一二两三四五六七八九十百千万亿]"
_QUANTITY_RE = re.compile(
    rf"(?P<num>{_NUMERAL}*[0-9０-９零〇一二两三四五六七八九十]{_NUMERAL}*)"
    r"\s*(?P<unit>美元|美金|块钱|人民币|平方米|平米|平方|㎡|元|块|平(?![安台衡稳均时常]))?"
)
_DOMESTIC_HINT = re.compile(r"投资|项目|资金|内资|总额|亿")
_FOREIGN_HINT = re.compile(r"外资|外商")
logger = logging.getLogger(__name__)

if not Span.has_extension("amount"):
    Span.set_extension("amount", default=None)
    Span.set_extension("assumed", default=False)


@dataclass(frozen=True)
class Quantity:
    """A normalised quantity: kind (CNY, USD, AREA) and value (元, 美元 or 平方米)."""

    kind: str
    value: float
    text: str
    assumed: bool = False  # currency assumed (no unit given)


def _to_number(text: str) -> float | None:
    text = text.replace("点", ".")
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def _scan(text: str) -> list[tuple[Quantity, int, int]]:
    """Return each quantity in ``text`` with its character offsets."""
    found = []
    for match in _QUANTITY_RE.finditer(text):
        number, unit = match.group("num"), match.group("unit")
        value = _to_number(number)
        if value is None or value <= 0:
            continue
        if unit:
            quantity = Quantity(UNITS[unit], value, match.group(0))
        elif re.search(r"[万亿]", number) and _DOMESTIC_HINT.search(text):
            # "投资二十亿": an amount with no currency; 外资 leaves it undecided.
            if _FOREIGN_HINT.search(text):
                continue
            quantity = Quantity("CNY", value, match.group(0), assumed=True)
        else:
            continue
        found.append((quantity, match.start(), match.end()))
    return found


def find_quantities(text: str) -> list[Quantity]:
    """Return the amounts and areas stated in ``text`` (without the spaCy pipeline)."""
    return [q for q, _, _ in _scan(text)]


@Language.component("jiading_quantities")
def quantity_component(doc: Doc) -> Doc:
    """Mark quantities as entities with their normalised value in ``span._.amount``."""
    spans = []
    for quantity, start, end in _scan(doc.text):
        span = doc.char_span(start, end, label=quantity.kind, alignment_mode="expand")
        if span is not None:
            span._.amount = quantity.value
            span._.assumed = quantity.assumed
            spans.append(span)
    doc.ents = tuple(spacy.util.filter_spans(spans))  # type: ignore[assignment]
    return doc


@cache
def nlp() -> Language:
    """Return the spaCy pipeline: blank Chinese with jieba, plus the quantity component."""
    jieba_logger = logging.getLogger("jieba")
    jieba_logger.setLevel(logging.WARNING)
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    pipeline.add_pipe("jiading_quantities")
    return pipeline


@lru_cache(maxsize=256)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Run the spaCy pipeline and return the quantities it marked.

    Cached: answering one question asks twice (which entries to prefer, then the lines).
    """
    doc = nlp()(text)
    return tuple(
        Quantity(ent.label_, float(ent._.amount), ent.text, bool(ent._.assumed))
        for ent in doc.ents
        if ent._.amount is not None
    )


@dataclass(frozen=True)
class Band:
    """One threshold: at least / at most ``limit`` gives ``service``."""

    limit: float
    at_least: bool
    service: str


@dataclass(frozen=True)
class Rule:
    """Thresholds of one article for one kind of quantity."""

    id: str
    entry: str
    article: int
    kind: str
    subject: str
    bands: tuple[Band, ...]
    otherwise: str

    def service_for(self, value: float) -> str:
        """Return what the source says applies to ``value``."""
        for band in self.bands:
            if (value >= band.limit) if band.at_least else (value <= band.limit):
                return band.service
        return self.otherwise


def _limit(text: str, kind: str, path: Path, line: int) -> float:
    hits = [q for q in find_quantities(text) if q.kind == kind]
    if len(hits) != 1:
        raise KbError(path, line, f"{text!r} is not one {kind} quantity")
    return hits[0].value


@cache
def load_rules(path: Path = THRESHOLDS_FILE) -> list[Rule]:
    """Load and validate the thresholds (numbers and articles checked against the source)."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    if not isinstance(root, yaml.MappingNode):
        raise KbError(path, 1, "expected a mapping with rules")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    nodes = next(v for k, v in root.value if k.value == "rules").value
    compact, articles = load_source(next(iter(SOURCES)))
    rules = []
    for raw, node in zip(data["rules"], nodes, strict=True):
        line = node.start_mark.line + 1
        if raw["article"] not in articles:
            raise KbError(path, line, f"no article {raw['article']}")
        texts = [raw["otherwise"], *(b["service"] for b in raw["bands"])]
        texts += [str(b.get("at_least") or b.get("at_most")) for b in raw["bands"]]
        for text in texts:
            bad = unsupported_numbers(text, compact)
            if bad:
                raise KbError(path, line, f"{', '.join(bad)} does not occur in the source")
        bands = tuple(
            Band(
                _limit(str(b.get("at_least") or b.get("at_most")), raw["quantity"], path, line),
                "at_least" in b,
                str(b["service"]),
            )
            for b in raw["bands"]
        )
        rules.append(
            Rule(
                raw["id"],
                raw["entry"],
                int(raw["article"]),
                raw["quantity"],
                raw["subject"],
                bands,
                raw["otherwise"],
            )
        )
    return rules


def _amount_text(q: Quantity) -> str:
    unit = {"CNY": "元", "USD": "美元", "AREA": "平方米"}[q.kind]
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if q.value >= size:
            return f"{q.value / size:g}{word}{unit}"
    return f"{q.value:g}{unit}"


def quantity_lines(text: str, entry_id: str, rules: list[Rule] | None = None) -> list[str]:
    """Explain, for each quantity in ``text``, which service of ``entry_id`` applies."""
    fmt = format_strings()
    lines = []
    found = quantities(text)
    for rule in rules if rules is not None else load_rules():
        if rule.entry != entry_id:
            continue
        for q in (q for q in found if q.kind == rule.kind):
            amount = _amount_text(q) + (fmt["quantity_assumed_cny"] if q.assumed else "")
            lines.append(
                fmt["quantity_line"].format(
                    subject=rule.subject, amount=amount, service=rule.service_for(q.value)
                )
            )
    return lines


def rule_entries(text: str, rules: list[Rule] | None = None) -> set[str]:
    """Return the entries whose thresholds concern a quantity stated in ``text``."""
    kinds = {q.kind for q in quantities(text)}
    return {r.entry for r in (rules if rules is not None else load_rules()) if r.kind in kinds}
