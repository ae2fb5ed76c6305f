"""Rank knowledge-base entries for a question: BM25, a learned classifier and e5 similarity.

Three rankers, each strong where the others are weak:

- lexical: BM25 over jieba tokens of each entry's title, synonyms, answer, facts and
  paraphrases, with the domain dictionary (exact terms: 金卡, 环评, 一网通办);
- learned: a logistic regression over character n-grams and words, trained on the titles,
  synonyms and paraphrases (scikit-learn ships with Rasa; small and deterministic);
- semantic: the cosine similarity between the question's multilingual-e5 embedding and those
  same texts' (bot.embedding), the best text of each entry counting: meaning beyond words,
  for plain talk that shares no term with the entry.

Each is turned into a distribution over entries and the three are mixed; the weights and
the decision thresholds are calibrated (bot.kb.calibrate). The entry texts are embedded once,
when the index is built, and stored with it together with the model's identity.
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

from bot import embedding
from bot.kb.schema import Entry
from bot.kb.source import load_source
from bot.kb.text import normalise, tokens

Vector = NDArray[np.float64]


@dataclass(frozen=True)
class Params:
    """Mixing weights, temperatures and decision thresholds (bot.kb.calibrate sets them).

    ``learned`` + ``lexical`` + ``semantic`` weights sum to 1. ``answer_similarity`` and
    ``choice_similarity`` are floors on the best cosine similarity between the question and
    any KB text: below them a question is not answered (resp. offered choices) whatever the
    mixed score, because nothing in the KB means what it says.

    ``strong_*``: an answer clearing these is strong enough to stand against the intent
    classifier (bot.arbiter); they are calibrated on out-of-domain queries alone, the others
    for messages the classifier already took for policy questions.
    """

    learned: float = 0.4
    lexical: float = 0.3
    semantic: float = 0.3
    temperature: float = 2.0  # softmax temperature applied to BM25 scores
    semantic_temperature: float = 0.02  # softmax temperature applied to cosine similarities
    answer_threshold: float = 0.5
    choice_threshold: float = 0.2
    answer_similarity: float = 0.0
    choice_similarity: float = 0.0
    strong_threshold: float = 1.0
    strong_similarity: float = 1.0


@dataclass(frozen=True)
class Hit:
    """One ranked entry with its mixed score and the three scores it came from."""

    entry: Entry
    score: float
    learned: float
    lexical: float
    semantic: float = 0.0


@dataclass(frozen=True)
class Scores:
    """Each ranker's score per entry (in entry order), for one question (or one row each)."""

    learned: Vector
    lexical: Vector
    semantic: Vector

    @property
    def similarity(self) -> float:
        """The best cosine similarity between the question and any KB text."""
        return float(self.semantic.max()) if len(self.semantic) else 0.0


def name_key(text: str) -> str:
    """Normalise a name for exact lookup (case, width, punctuation and spaces ignored)."""
    return re.sub(r"[\W_]+", "", normalise(text))


@dataclass(frozen=True)
class _WordAnalyzer:
    """Tokenise with the KB dictionary (a class, not a lambda, so the index pickles)."""

    userdict: Path | None

    def __call__(self, text: str) -> list[str]:
        return tokens(text, self.userdict)


def headings(entry: Entry) -> list[str]:
    """Return the names of the articles ``entry`` cites, as the document writes them.

    A question in the document's own words often repeats an article's name (「支持企业直接
    融资有哪些措施」): every entry of that article answers it.
    """
    _, articles = load_source(entry.source)
    names = (articles[n].heading for n in entry.articles if n in articles)
    return [name for name in names if name]


def _training_texts(entry: Entry, questions: Sequence[str]) -> list[str]:
    return [entry.title, *entry.synonyms, *headings(entry), *questions]


def _document(entry: Entry, questions: Sequence[str]) -> str:
    return " ".join(
        [entry.title, *entry.synonyms, *headings(entry), entry.answer, *entry.facts, *questions]
    )


def softmax(scores: Vector, temperature: float) -> Vector:
    """Turn raw scores into a distribution over entries (all zero if no score is positive).

    One question's scores, or many questions' as rows (each row its own distribution).
    """
    scores = np.asarray(scores, dtype=float)
    if not scores.size:
        return np.zeros_like(scores)
    top = scores.max(axis=-1, keepdims=True)
    z = np.exp((scores - top) / temperature)
    return np.asarray(np.where(top > 0, z / z.sum(axis=-1, keepdims=True), 0.0))


@dataclass
class KbIndex:
    """A searchable index over entries (build with :meth:`build`)."""

    entries: list[Entry]
    userdict: Path | None
    params: Params = field(default_factory=Params)
    model: str = ""  # identity of the embedding model the entry texts were embedded with
    _bm25: BM25Okapi | None = None
    _chars: TfidfVectorizer | None = None
    _words: TfidfVectorizer | None = None
    _classifier: LogisticRegression | None = None
    _names: dict[str, list[int]] = field(default_factory=dict)
    _vectors: NDArray[np.float32] | None = None  # one row per embedded text
    _owners: NDArray[np.int64] | None = None  # the entry of each row

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
        index = cls(entries, userdict, params or Params(), embedding.model_identity())
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
        index._vectors = embedding.embed_many(texts)
        index._owners = np.asarray(labels, dtype=np.int64)
        return index

    def named(self, question: str) -> list[Entry]:
        """Return the entries whose title or synonym is exactly ``question``."""
        return [self.entries[i] for i in self._names.get(name_key(question), [])]

    def scores(self, question: str, vector: NDArray[np.float32] | None = None) -> Scores:
        """Score every entry for ``question``.

        ``vector``: the question's embedding when the caller has it already (the Rasa
        featurizer computed it for the same message); otherwise it is computed here.
        """
        assert self._bm25 and self._chars and self._words and self._classifier
        assert self._vectors is not None and self._owners is not None
        text = normalise(question)
        features = hstack([self._chars.transform([text]), self._words.transform([text])])
        learned = np.zeros(len(self.entries))
        learned[self._classifier.classes_] = self._classifier.predict_proba(features)[0]
        lexical = np.asarray(self._bm25.get_scores(tokens(question, self.userdict)), dtype=float)
        if vector is None:
            vector = embedding.embed(question)
        cosines = self._vectors @ np.asarray(vector, dtype=np.float32)
        semantic = np.full(len(self.entries), -1.0)
        np.maximum.at(semantic, self._owners, cosines.astype(float))
        return Scores(learned, lexical, semantic)

    @staticmethod
    def mix(scores: Scores, params: Params) -> Vector:
        """Combine the three rankers' scores into one score per entry (per row, for many)."""
        return np.asarray(
            params.learned * scores.learned
            + params.lexical * softmax(scores.lexical, params.temperature)
            + params.semantic * softmax(scores.semantic, params.semantic_temperature)
        )

    def rank(self, scores: Scores, k: int | None = 5) -> list[Hit]:
        """Return the ``k`` best entries (all if None) for already computed scores."""
        mixed = self.mix(scores, self.params)
        order = np.argsort(-mixed, kind="stable")[:k]
        return [
            Hit(
                self.entries[i],
                float(mixed[i]),
                float(scores.learned[i]),
                float(scores.lexical[i]),
                float(scores.semantic[i]),
            )
            for i in order
        ]

    def search(
        self, question: str, k: int | None = 5, vector: NDArray[np.float32] | None = None
    ) -> list[Hit]:
        """Return the ``k`` best entries for ``question`` (all if None), best first."""
        return self.rank(self.scores(question, vector), k)
