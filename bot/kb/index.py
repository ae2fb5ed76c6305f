"""Rank knowledge-base entries for a question: BM25 (lexical) + a learned classifier.

The lexical ranker is BM25 over jieba tokens of each entry's title, synonyms, answer, facts
and paraphrases, with the domain dictionary. The learned ranker is a logistic regression over
character n-grams and words, trained on the paraphrases (scikit-learn ships with Rasa; it is
small, deterministic and needs no downloaded model). Their scores are mixed; the mixing weight
and the answer/choices thresholds are calibrated on held-out paraphrases (bot.kb.calibrate).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rank_bm25 import BM25Okapi
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.kb.schema import Entry
from bot.kb.text import normalise, tokens

Vector = NDArray[np.float64]


@dataclass(frozen=True)
class Params:
    """Mixing weight, BM25 temperature and decision thresholds."""

    alpha: float = 0.6  # weight of the learned ranker; 1 - alpha for BM25
    temperature: float = 2.0  # softmax temperature applied to BM25 scores
    answer_threshold: float = 0.5
    choice_threshold: float = 0.2


@dataclass(frozen=True)
class Hit:
    """One ranked entry with its mixed score and the two scores it came from."""

    entry: Entry
    score: float
    learned: float
    lexical: float


def name_key(text: str) -> str:
    """Normalise a name for exact lookup (case, width, punctuation and spaces ignored)."""
    return re.sub(r"[\W_]+", "", normalise(text))


@dataclass(frozen=True)
class _WordAnalyzer:
    """Tokenise with the KB dictionary (a class, not a lambda, so the index pickles)."""

    userdict: Path | None

    def __call__(self, text: str) -> list[str]:
        return tokens(text, self.userdict)


def _training_texts(entry: Entry, questions: Sequence[str]) -> list[str]:
    return [entry.title, *entry.synonyms, *questions]


def _document(entry: Entry, questions: Sequence[str]) -> str:
    return " ".join([entry.title, *entry.synonyms, entry.answer, *entry.facts, *questions])


@dataclass
class KbIndex:
    """A searchable index over entries (build with :meth:`build`)."""

    entries: list[Entry]
    userdict: Path | None
    params: Params = field(default_factory=Params)
    _bm25: BM25Okapi | None = None
    _chars: TfidfVectorizer | None = None
    _words: TfidfVectorizer | None = None
    _classifier: LogisticRegression | None = None
    _names: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        entries: list[Entry],
        userdict: Path | None,
        params: Params | None = None,
        held_out: set[str] | None = None,
    ) -> KbIndex:
        """Index ``entries``, leaving out the paraphrases in ``held_out`` (for calibration)."""
        held_out = held_out or set()
        index = cls(entries, userdict, params or Params())
        for i, entry in enumerate(entries):
            for name in (entry.title, *entry.synonyms):
                index._names.setdefault(name_key(name), []).append(i)
        kept = [[q for q in e.questions if q not in held_out] for e in entries]
        index._bm25 = BM25Okapi(
            [
                tokens(_document(e, qs), userdict) or ["∅"]
                for e, qs in zip(entries, kept, strict=True)
            ]
        )
        texts: list[str] = []
        labels: list[int] = []
        for i, (entry, questions) in enumerate(zip(entries, kept, strict=True)):
            for text in _training_texts(entry, questions):
                texts.append(normalise(text))
                labels.append(i)
        index._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        index._words = TfidfVectorizer(analyzer=_WordAnalyzer(userdict), sublinear_tf=True)
        features = hstack([index._chars.fit_transform(texts), index._words.fit_transform(texts)])
        index._classifier = LogisticRegression(C=20.0, solver="liblinear")
        index._classifier.fit(features, labels)
        return index

    def named(self, question: str) -> list[Entry]:
        """Return the entries whose title or synonym is exactly ``question``."""
        return [self.entries[i] for i in self._names.get(name_key(question), [])]

    def scores(self, question: str) -> tuple[Vector, Vector]:
        """Return (learned probabilities, BM25 scores) per entry, in entry order."""
        assert self._bm25 and self._chars and self._words and self._classifier
        text = normalise(question)
        features = hstack([self._chars.transform([text]), self._words.transform([text])])
        learned = np.zeros(len(self.entries))
        learned[self._classifier.classes_] = self._classifier.predict_proba(features)[0]
        lexical = np.asarray(self._bm25.get_scores(tokens(question, self.userdict)), dtype=float)
        return learned, lexical

    def mix(self, learned: Vector, lexical: Vector, params: Params) -> Vector:
        """Combine the two rankers' scores into one score per entry."""
        if lexical.max() > 0:
            z = np.exp((lexical - lexical.max()) / params.temperature)
            lexical_p = z / z.sum()
        else:
            lexical_p = np.zeros_like(lexical)
        return np.asarray(params.alpha * learned + (1 - params.alpha) * lexical_p)

    def search(self, question: str, k: int | None = 5) -> list[Hit]:
        """Return the ``k`` best entries for ``question`` (all if None), best first."""
        learned, lexical = self.scores(question)
        mixed = self.mix(learned, lexical, self.params)
        order = np.argsort(-mixed, kind="stable")[:k]
        return [
            Hit(self.entries[i], float(mixed[i]), float(learned[i]), float(lexical[i]))
            for i in order
        ]
