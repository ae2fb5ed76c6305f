"""Choose the rankers' weights and the decision thresholds on questions the KB never saw.

Calibrated on the calibration halves of bot.kb.evalsets: plain-talk policy questions (their
answering entries known), near-domain negatives, the everyday requests of the NLU data and
real out-of-domain queries (`../shared/ood/`). The weights are the ones that rank the plain-talk
questions' right entry first most often. Two sets of thresholds answer the most plain-talk
questions rightly within limits on the negatives:

- *strong* answers stand against the intent classifier (bot.arbiter), so they must be rare on
  every negative set by themselves (``STRONG_LIMITS``);
- ordinary answers are given to messages the classifier already took for policy questions,
  where the negatives that remain are few: looser limits (``ANSWER_LIMITS``), and few wrong
  answers among the positives (``MAX_WRONG_ANSWERED``).

Calibrating needs `../shared/ood/`; on a machine without it (a clean clone in CI) the figures
recorded in ``config/kb_calibration.yml`` by the last calibration are used, so the committed
index builds the same everywhere. The file records what the thresholds gave, for review.

The thresholds are searched by simulating :func:`bot.kb.search.judge` on arrays (tens of
thousands of combinations); ``outcomes`` is that simulation, and a test holds it equal to
``judge`` question by question.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from bot import embedding
from bot.kb import evalsets
from bot.kb.index import KbIndex, Params, Scores
from bot.kb.search import MAX_CHOICES, RELATED_RATIO
from bot.settings import PROJECT_ROOT

CALIBRATION_FILE = PROJECT_ROOT / "config" / "kb_calibration.yml"
OUT_OF_SCOPE_FILE = PROJECT_ROOT / "data" / "nlu" / "out_of_scope.yml"
WEIGHT_STEP = 0.1
TEMPERATURES = (1.0, 2.0, 4.0)
SEMANTIC_TEMPERATURES = (0.01, 0.02, 0.05)
SIMILARITY_FLOORS = (0.0, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94)
# Shares of each negative set that may be answered (the targets end to end are 2% of the
# out-of-domain queries and 5% of the near-domain ones: strong answers keep a margin).
STRONG_LIMITS = {"ood": 0.01, "out_of_scope": 0.01, "near": 0.03}
ANSWER_LIMITS = {"ood": 0.05, "out_of_scope": 1.0, "near": 0.35}
MAX_OOD_OFFERED = 0.15
MAX_WRONG_ANSWERED = 0.05
logger = logging.getLogger(__name__)

Array = NDArray[np.float64]
ANSWER, CHOICES, NO_MATCH = 0, 1, 2


@dataclass(frozen=True)
class Calibration:
    """The chosen parameters and what they gave on the calibration sets.

    ``calibrated``: calibrated in this build (False: read from ``config/kb_calibration.yml``).
    """

    params: Params
    figures: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    calibrated: bool = False


def out_of_scope_examples(path: Path = OUT_OF_SCOPE_FILE) -> list[str]:
    """Return the everyday requests of the NLU data."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        line[2:].strip()
        for block in data["nlu"]
        if block.get("intent") == "out_of_scope"
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


@dataclass
class _Batch:
    """The three rankers' scores of many questions, one row each."""

    learned: Array
    lexical: Array
    semantic: Array
    named: NDArray[np.bool_]

    @classmethod
    def score(cls, index: KbIndex, questions: Sequence[str]) -> _Batch:
        vectors = embedding.embed_many(questions)
        rows = [index.scores(q, v) for q, v in zip(questions, vectors, strict=True)]
        n = len(index.entries)
        return cls(
            np.array([r.learned for r in rows]).reshape(-1, n),
            np.array([r.lexical for r in rows]).reshape(-1, n),
            np.array([r.semantic for r in rows]).reshape(-1, n),
            np.array([bool(index.named(q)) for q in questions], dtype=bool),
        )

    def mixed(self, p: Params) -> Array:
        return KbIndex.mix(Scores(self.learned, self.lexical, self.semantic), p)

    @property
    def similarity(self) -> Array:
        return np.asarray(self.semantic.max(axis=1)) if self.semantic.size else np.zeros(0)


def _right_first(mixed: Array, truth: NDArray[np.bool_]) -> float:
    best = mixed.argmax(axis=1)
    return float(truth[np.arange(len(best)), best].mean())


def choose_weights(batch: _Batch, truth: NDArray[np.bool_]) -> tuple[Params, float]:
    """Return the weights and temperatures that rank a right entry first most often."""
    steps = round(1 / WEIGHT_STEP)
    best: tuple[float, Params] | None = None
    for i, j in itertools.product(range(steps + 1), repeat=2):
        if i + j > steps:
            continue
        learned, lex = i / steps, j / steps
        for t, st in itertools.product(TEMPERATURES, SEMANTIC_TEMPERATURES):
            p = Params(learned, lex, round(1 - learned - lex, 4), t, st)
            score = _right_first(batch.mixed(p), truth)
            if best is None or score > best[0] + 1e-9:
                best = (score, p)
    assert best is not None
    return best[1], best[0]


@dataclass
class Ranked:
    """What the decision needs of each question: its best entries, scores and similarity."""

    top: NDArray[np.int64]  # (n, MAX_CHOICES) entry positions, best first
    score: Array  # (n, MAX_CHOICES)
    article: NDArray[np.int64]  # (n, MAX_CHOICES) first article of each
    similarity: Array
    named: NDArray[np.bool_]

    @classmethod
    def of(cls, index: KbIndex, batch: _Batch, p: Params) -> Ranked:
        """Rank a batch of questions' entries with the weights of ``p``."""
        mixed = batch.mixed(p)
        top = np.argsort(-mixed, axis=1, kind="stable")[:, :MAX_CHOICES]
        articles = np.array([e.articles[0] for e in index.entries])
        return cls(
            top,
            np.take_along_axis(mixed, top, axis=1),
            articles[top],
            batch.similarity,
            batch.named,
        )


def outcomes(r: Ranked, p: Params) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Simulate ``judge`` for every question: (decision, which of the top entries it shows).

    Named questions (exactly a title or synonym) are answered by name: counted as answers.
    """
    n = len(r.similarity)
    decision = np.full(n, NO_MATCH)
    shown = np.zeros((n, MAX_CHOICES), dtype=bool)
    answer = (r.score[:, 0] >= p.answer_threshold) & (r.similarity >= p.answer_similarity)
    answer |= (r.score[:, 0] >= p.strong_threshold) & (r.similarity >= p.strong_similarity)
    offer = ~answer & (r.score[:, 0] >= p.choice_threshold) & (r.similarity >= p.choice_similarity)
    plausible = r.score >= p.choice_threshold / 2
    plausible[:, 0] = True
    count = plausible.sum(axis=1)
    same_article = np.all(~plausible | (r.article == r.article[:, :1]), axis=1)
    single = offer & ((count == 1) | same_article)
    decision[answer | single | r.named] = ANSWER
    decision[offer & ~single & ~r.named] = CHOICES
    choices = decision == CHOICES
    shown[choices] = plausible[choices]
    answered = decision == ANSWER
    shown[answered, 0] = True
    # Entries within RELATED_RATIO of the answer's score are offered beside it.
    near = plausible & (r.score >= RELATED_RATIO * r.score[:, :1])
    beside = answered & ~r.named
    shown[beside, 1:] = near[beside, 1:]
    return decision, shown


def _figures(r: Ranked, p: Params, truth: NDArray[np.bool_] | None) -> tuple[float, float, float]:
    decision, shown = outcomes(r, p)
    if truth is None:
        return float((decision == ANSWER).mean()), float((decision != NO_MATCH).mean()), 0.0
    right = np.take_along_axis(truth, r.top, axis=1)
    first = (decision == ANSWER) & right[:, 0]
    among = np.any(shown & right, axis=1)
    wrong = (decision == ANSWER) & ~right[:, 0]
    return float(first.mean()), float(among.mean()), float(wrong.mean())


def _fits(p: Params, negatives: dict[str, Ranked], limits: dict[str, float]) -> bool:
    for name, ranked in negatives.items():
        answered, offered, _ = _figures(ranked, p, None)
        if answered > limits[name] or (name == "ood" and offered > MAX_OOD_OFFERED):
            return False
    return True


def choose_thresholds(
    weights: Params, positives: Ranked, truth: NDArray[np.bool_], negatives: dict[str, Ranked]
) -> Params:
    """Return the answer, choice and strong thresholds (see the module's docstring)."""
    answer_grid = np.round(np.arange(0.02, 0.96, 0.02), 2)
    choice_grid = np.round(np.arange(0.02, 0.6, 0.02), 2)
    never = replace(weights, answer_threshold=1.0, choice_threshold=1.0)
    best: tuple[tuple[float, float], Params] | None = None
    for t_a, s_a in itertools.product(answer_grid, SIMILARITY_FLOORS):
        for t_c, s_c in itertools.product(choice_grid, SIMILARITY_FLOORS):
            if t_c > t_a or s_c > s_a:
                continue
            p = replace(
                never,
                answer_threshold=float(t_a),
                answer_similarity=float(s_a),
                choice_threshold=float(t_c),
                choice_similarity=float(s_c),
            )
            if not _fits(p, negatives, ANSWER_LIMITS):
                continue
            first, among, wrong = _figures(positives, p, truth)
            if wrong <= MAX_WRONG_ANSWERED and (best is None or (first, among) > best[0]):
                best = ((first, among), p)
    if best is None:
        logger.warning("no thresholds fit the out-of-domain limits; answering nothing")
        return never
    chosen = best[1]
    strong: tuple[float, Params] | None = None
    for t_s, s_s in itertools.product(answer_grid, SIMILARITY_FLOORS):
        # Strong answers alone (nothing else answered) must fit the strict limits.
        alone = replace(never, answer_threshold=float(t_s), answer_similarity=float(s_s))
        if not _fits(alone, negatives, STRONG_LIMITS):
            continue
        first, _, _ = _figures(positives, alone, truth)
        if strong is None or first > strong[0]:
            strong = (first, alone)
    if strong is None:
        return chosen
    return replace(
        chosen,
        strong_threshold=strong[1].answer_threshold,
        strong_similarity=strong[1].answer_similarity,
    )


def _truth(index: KbIndex, questions: Sequence[evalsets.Question]) -> NDArray[np.bool_]:
    ids = [e.id for e in index.entries]
    return np.array([[i in q.entries for i in ids] for q in questions], dtype=bool).reshape(
        len(questions), len(ids)
    )


def calibrate(index: KbIndex) -> Calibration:
    """Calibrate ``index``'s Params on the calibration halves (needs `../shared/ood/`)."""
    part = evalsets.CALIBRATE
    plain = [q for q in evalsets.plain_talk(part) if q.entries]
    truth = _truth(index, plain)
    batch = _Batch.score(index, [q.text for q in plain])
    weights, top1 = choose_weights(batch, truth)
    negatives_text = {
        "ood": evalsets.out_of_domain(part),
        "out_of_scope": tuple(out_of_scope_examples()),
        "near": evalsets.near_domain(part),
    }
    negatives = {
        name: Ranked.of(index, _Batch.score(index, texts), weights)
        for name, texts in negatives_text.items()
    }
    positives = Ranked.of(index, batch, weights)
    params = choose_thresholds(weights, positives, truth, negatives)
    first, among, wrong = _figures(positives, params, truth)
    strong = replace(
        params,
        answer_threshold=params.strong_threshold,
        answer_similarity=params.strong_similarity,
        choice_threshold=1.0,
    )
    figures = {"plain_top1": top1, "plain_first": first, "plain_among": among}
    figures["plain_wrong_answered"] = wrong
    figures["plain_strong"] = _figures(positives, strong, truth)[0]
    for name, ranked in negatives.items():
        answered, offered, _ = _figures(ranked, params, None)
        figures[f"{name}_answered"] = answered
        figures[f"{name}_offered"] = offered
        figures[f"{name}_strong"] = _figures(ranked, strong, None)[0]
    sizes = {"plain": len(plain), **{k: len(v) for k, v in negatives_text.items()}}
    figures = {k: round(v, 4) for k, v in figures.items()}
    return Calibration(params, figures, sizes, calibrated=True)


def save(calibration: Calibration, model: str, path: Path = CALIBRATION_FILE) -> None:
    """Record ``calibration`` (rewritten only when it changed, so the file stays stable)."""
    data: dict[str, Any] = {
        "model": model,
        "params": asdict(calibration.params),
        "figures": calibration.figures,
        "sizes": calibration.sizes,
    }
    text = (
        "# Written by `make kb` when ../shared/ood/ is present (bot/kb/calibrate.py); read when\n"
        "# it is not. figures: what these parameters gave on the calibration halves.\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def recorded(path: Path = CALIBRATION_FILE) -> Calibration:
    """Return the last recorded calibration (defaults if none was ever recorded)."""
    if not path.exists():
        logger.warning("%s missing: using default KB thresholds", path)
        return Calibration(Params())
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Calibration(Params(**data["params"]), data["figures"], data["sizes"])


def calibration_for(index: KbIndex) -> Calibration:
    """Calibrate when the out-of-domain queries are here (and record it); else the record."""
    if not evalsets.ood_available():
        return recorded()
    calibration = calibrate(index)
    save(calibration, index.model)
    return calibration
