"""Decide what to do with a policy question: answer, offer choices, or say nothing fits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.kb.index import Hit, KbIndex

MAX_CHOICES = 3


class Decision(str, Enum):
    """The outcome of a search."""

    ANSWER = "answer"
    CHOICES = "choices"
    NO_MATCH = "no_match"


@dataclass(frozen=True)
class SearchResult:
    """The decision, the entries it concerns and the ranked hits behind it."""

    question: str
    decision: Decision
    hits: list[Hit]
    selected: list[Hit]  # the answered entry, the offered choices, or nothing

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view for staff."""
        return {
            "question": self.question,
            "decision": self.decision.value,
            "hits": [
                {
                    "entry_id": h.entry.id,
                    "title": h.entry.title,
                    "articles": list(h.entry.articles),
                    "score": round(h.score, 4),
                    "learned": round(h.learned, 4),
                    "lexical": round(h.lexical, 3),
                }
                for h in self.hits
            ],
        }


def decide(
    index: KbIndex, question: str, k: int = MAX_CHOICES, prefer: frozenset[str] = frozenset()
) -> SearchResult:
    """Rank entries for ``question`` and decide by the index's calibrated thresholds.

    ``prefer``: entries the question's own content points at (e.g. a quantity that one of
    them has thresholds for); one of them among the top choices is answered outright.
    """
    hits = index.search(question, k=None)
    named = {e.id for e in index.named(question)}
    if named:
        # The question is exactly an entry's title or synonym: those entries come first.
        hits = sorted(hits, key=lambda h: h.entry.id not in named)
        if len(named) == 1:
            return SearchResult(question, Decision.ANSWER, hits[:k], hits[:1])
        return SearchResult(
            question, Decision.CHOICES, hits[:k], hits[: min(len(named), MAX_CHOICES)]
        )
    params = index.params
    top = hits[0].score if hits else 0.0
    preferred = [h for h in hits[:MAX_CHOICES] if h.entry.id in prefer]
    if params.choice_threshold <= top < params.answer_threshold and preferred:
        hits = preferred[:1] + [h for h in hits if h is not preferred[0]]
        return SearchResult(question, Decision.ANSWER, hits[:k], hits[:1])
    if top >= params.answer_threshold:
        return SearchResult(question, Decision.ANSWER, hits[:k], hits[:1])
    if top >= params.choice_threshold:
        # Offer only entries that are themselves plausible (the first always is).
        plausible = [h for h in hits[:MAX_CHOICES] if h.score >= params.choice_threshold / 2]
        return SearchResult(question, Decision.CHOICES, hits[:k], plausible)
    return SearchResult(question, Decision.NO_MATCH, hits[:k], [])
