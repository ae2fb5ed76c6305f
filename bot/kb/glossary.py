"""Render the jieba user dictionary from the glossary and the entries' synonyms.

``make kb`` (``python -m bot.kb build``) runs this; errors name the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.kb.schema import KbError, load_entries
from bot.settings import PROJECT_ROOT

KB_DIR = PROJECT_ROOT / "policies_kb"
GLOSSARY_FILE = "glossary.yml"
USERDICT_DIR = PROJECT_ROOT / "build" / "jieba"
USERDICT_NAME = "userdict.txt"

# jieba part-of-speech tag per glossary section (nt: organisation, ns: place, nz: proper noun).
SECTION_TAGS = {"departments": "nt", "places": "ns", "programmes": "nz"}
# A term may not contain whitespace: jieba's user dictionary is space-separated.
_TERM_RE = re.compile(r"^\S{2,40}$")


# A malformed glossary is reported like any other knowledge-base error.
GlossaryError = KbError
SYNONYM_TAG = "nz"


@dataclass(frozen=True)
class Term:
    """One term the tokenizer must keep whole."""

    text: str
    tag: str


def load_glossary(path: Path) -> list[Term]:
    """Parse and validate a glossary file; raise GlossaryError pointing at the bad line."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise GlossaryError(path, line, f"not valid YAML: {exc.problem}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise GlossaryError(path, 1, "expected a mapping of sections")
    terms: list[Term] = []
    seen: dict[str, int] = {}
    for key_node, value_node in root.value:
        section = key_node.value
        if section == "source":
            continue
        line = key_node.start_mark.line + 1
        if section not in SECTION_TAGS:
            known = ", ".join(sorted(SECTION_TAGS))
            raise GlossaryError(path, line, f"unknown section {section!r} (known: {known})")
        if not isinstance(value_node, yaml.SequenceNode):
            raise GlossaryError(path, line, f"section {section!r} must be a list of terms")
        for item in value_node.value:
            item_line = item.start_mark.line + 1
            if not isinstance(item, yaml.ScalarNode) or not _TERM_RE.match(str(item.value)):
                raise GlossaryError(path, item_line, "a term is 2-40 characters with no spaces")
            if item.value in seen:
                raise GlossaryError(
                    path, item_line, f"{item.value!r} repeats line {seen[item.value]}"
                )
            seen[item.value] = item_line
            terms.append(Term(item.value, SECTION_TAGS[section]))
    return terms


def render_userdict(terms: list[Term]) -> str:
    """Render terms as a jieba user dictionary: ``word tag`` per line, sorted.

    No frequency is written, so jieba computes one that keeps each word whole.
    """
    return "".join(f"{t.text} {t.tag}\n" for t in sorted(terms, key=lambda t: t.text))


def kb_terms(kb_dir: Path) -> list[Term]:
    """Return the glossary terms plus the entries' synonyms (glossary first, no repeats)."""
    terms = load_glossary(kb_dir / GLOSSARY_FILE)
    known = {t.text for t in terms}
    for entry in load_entries(kb_dir):
        for synonym in entry.synonyms:
            if synonym not in known and _TERM_RE.match(synonym):
                terms.append(Term(synonym, SYNONYM_TAG))
                known.add(synonym)
    return terms


def build_userdict(kb_dir: Path = KB_DIR, out_dir: Path = USERDICT_DIR) -> Path:
    """Write the user dictionary for ``kb_dir`` into ``out_dir``; return its path."""
    terms = kb_terms(kb_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / USERDICT_NAME
    text = render_userdict(terms)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out
