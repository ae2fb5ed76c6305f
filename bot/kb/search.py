"""Decide what to do with a policy question: answer, offer choices, or say nothing fits.

:func:`decide` ranks the entries and hands the ranking to :func:`judge`, the decision itself,
which needs nothing but the ranking: the Rasa process ranks a message once (its NLU pipeline
has the embedding already) and sends the ranking with the parse data, and the action server
judges that ranking without ranking again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.kb.index import Hit, KbIndex, Params
from bot.kb.schema import Entry

MAX_CHOICES = 3
# Entries offered beside an answer ("您可能还想了解"): the next ones within this share of the
# best score. On the plain-talk calibration half, the right entry was then among the answer and
# these for all but a few questions, with 0.6 extra buttons on average.
RELATED_RATIO = 0.3
# How many ranked entries travel with a message's parse data (enough for choices and notes).
EVIDENCE_HITS = 8


class Decision(str, Enum):
    """The outcome of a search."""

    ANSWER = "answer"
    CHOICES = "choices"
    NO_MATCH = "no_match"


@dataclass(frozen=True)
class Evidence:
    """A question's ranking: the best hits, the entries it names exactly, its best similarity."""

    hits: list[Hit]
    named: frozenset[str] = frozenset()
    similarity: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form (parse data of a message)."""
        return {
            "hits": [
                {
                    "entry_id": h.entry.id,
                    "score": round(h.score, 5),
                    "learned": round(h.learned, 5),
                    "lexical": round(h.lexical, 4),
                    "semantic": round(h.semantic, 5),
                }
                for h in self.hits
            ],
            "named": sorted(self.named),
            "similarity": round(self.similarity, 5),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], entries: Mapping[str, Entry]) -> Evidence | None:
        """Rebuild evidence from :meth:`as_dict` (None if it names an entry we do not have)."""
        try:
            hits = [
                Hit(
                    entries[h["entry_id"]],
                    float(h["score"]),
                    float(h["learned"]),
                    float(h["lexical"]),
                    float(h["semantic"]),
                )
                for h in data["hits"]
            ]
            return cls(hits, frozenset(data.get("named") or ()), float(data["similarity"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class SearchResult:
    """The decision, the entries it concerns and the ranked hits behind it."""

    question: str
    decision: Decision
    hits: list[Hit]
    selected: list[Hit]  # the answered entry, the offered choices, or nothing
    related: list[Hit] = field(default_factory=list)  # offered beside an answer
    similarity: float = 0.0
    strong: bool = False  # an answer that stands against the intent classifier

    @property
    def answered(self) -> Hit | None:
        """The answered entry's hit, if the decision is an answer."""
        return self.selected[0] if self.decision is Decision.ANSWER else None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view for staff."""
        return {
            "question": self.question,
            "decision": self.decision.value,
            "similarity": round(self.similarity, 4),
            "strong": self.strong,
            "selected": [h.entry.id for h in self.selected],
            "related": [h.entry.id for h in self.related],
            "hits": [
                {
                    "entry_id": h.entry.id,
                    "title": h.entry.title,
                    "articles": list(h.entry.articles),
                    "score": round(h.score, 4),
                    "learned": round(h.learned, 4),
                    "lexical": round(h.lexical, 3),
                    "semantic": round(h.semantic, 4),
                }
                for h in self.hits
            ],
        }


def evidence(index: KbIndex, question: str, vector: NDArray[np.float32] | None = None) -> Evidence:
    """Rank every entry for ``question`` (``vector``: its embedding, if already computed)."""
    scores = index.scores(question, vector)
    return Evidence(
        index.rank(scores, k=None),
        frozenset(e.id for e in index.named(question)),
        scores.similarity,
    )


def decide(
    index: KbIndex,
    question: str,
    k: int = MAX_CHOICES,
    prefer: frozenset[str] = frozenset(),
    vector: NDArray[np.float32] | None = None,
) -> SearchResult:
    """Rank entries for ``question`` and decide by the index's calibrated thresholds."""
    return judge(question, evidence(index, question, vector), index.params, k, prefer)


def _same_article(hits: Sequence[Hit]) -> bool:
    return len({h.entry.articles[0] for h in hits}) == 1


def judge(
    question: str,
    found: Evidence,
    params: Params,
    k: int = MAX_CHOICES,
    prefer: frozenset[str] = frozenset(),
) -> SearchResult:
    """Decide from a ranking: answer, choices or nothing.

    - The question is exactly an entry's title or synonym: that entry (several: choices).
    - The best score and similarity clear the strong thresholds: a strong answer.
    - The best score and the best similarity clear the answer thresholds: answer it.
    - ``prefer``: entries the question's own content points at (a quantity one of them has
      thresholds for); one of them among the plausible choices is answered outright.
    - Choices only when they are real choices: the plausible entries (at most three) are
      offered; one plausible entry alone is answered; entries all resting on one article are
      answered with the best.
    - Beside an answer, the next plausible entries within ``RELATED_RATIO`` of its score are
      offered as related.
    - Otherwise nothing fits.
    """
    hits = list(found.hits)
    sim = found.similarity
    if found.named:
        # The question is exactly an entry's title or synonym: those entries come first.
        hits = sorted(hits, key=lambda h: h.entry.id not in found.named)
        if len(found.named) == 1:
            return SearchResult(question, Decision.ANSWER, hits[:k], hits[:1], [], sim, True)
        named = hits[: min(len(found.named), MAX_CHOICES)]
        return SearchResult(question, Decision.CHOICES, hits[:k], named, [], sim)
    top = hits[0].score if hits else 0.0
    # Offer only entries that are themselves plausible (the first always is).
    plausible = hits[:1] + [
        h for h in hits[1:MAX_CHOICES] if h.score >= params.choice_threshold / 2
    ]
    related = [h for h in plausible[1:] if h.score >= RELATED_RATIO * top]
    if top >= params.strong_threshold and sim >= params.strong_similarity:
        return SearchResult(question, Decision.ANSWER, hits[:k], hits[:1], related, sim, True)
    if top >= params.answer_threshold and sim >= params.answer_similarity:
        return SearchResult(question, Decision.ANSWER, hits[:k], hits[:1], related, sim)
    if top < params.choice_threshold or sim < params.choice_similarity:
        return SearchResult(question, Decision.NO_MATCH, hits[:k], [], [], sim)
    preferred = [h for h in plausible if h.entry.id in prefer]
    if preferred:
        best = preferred[0]
        hits = [best] + [h for h in hits if h is not best]
        return SearchResult(question, Decision.ANSWER, hits[:k], [best], [], sim)
    if len(plausible) == 1 or _same_article(plausible):
        return SearchResult(question, Decision.ANSWER, hits[:k], plausible[:1], related, sim)
    return SearchResult(question, Decision.CHOICES, hits[:k], plausible, [], sim)
