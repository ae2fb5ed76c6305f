"""Choose the mixing weight and the answer/choices thresholds on held-out paraphrases.

Every fifth paraphrase of each entry is held out; an index built without them ranks them,
and everyday requests from the NLU data (`out_of_scope`) stand for questions the KB does not
cover. The weight that ranks the held-out questions best is kept; the answer threshold is the
lowest score at which answers are right often enough and everyday requests are rarely
answered; the choices threshold the lowest at which few everyday requests get choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from numpy.typing import NDArray

from bot.kb.index import KbIndex, Params
from bot.kb.schema import Entry
from bot.settings import PROJECT_ROOT

HOLD_OUT_EVERY = 5
OUT_OF_SCOPE_FILE = PROJECT_ROOT / "data" / "nlu" / "out_of_scope.yml"
ALPHAS = (0.3, 0.5, 0.7, 0.85, 1.0)
TEMPERATURES = (1.0, 2.0, 4.0)
MIN_ANSWER_PRECISION = 0.97
MAX_OOD_ANSWERED = 0.02
MAX_OOD_OFFERED = 0.10


@dataclass(frozen=True)
class Calibration:
    """Chosen parameters and what they gave on the held-out data."""

    params: Params
    held_out: int
    top1: float
    answered: float
    answer_precision: float
    ood_answered: float
    ood_offered: float


def held_out_questions(entries: Sequence[Entry]) -> list[tuple[str, int]]:
    """Return (question, entry index) for every fifth paraphrase of each entry."""
    return [
        (q, i)
        for i, entry in enumerate(entries)
        for n, q in enumerate(entry.questions)
        if n % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1
    ]


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


def _lowest_threshold(candidates: NDArray[np.float64], ok: object) -> float:
    for t in np.sort(candidates):
        if ok(t):  # type: ignore[operator]
            return float(t)
    return float(candidates.max()) + 1e-6


def calibrate(entries: list[Entry], userdict: Path | None) -> Calibration:
    """Calibrate Params for ``entries`` (builds one index without the held-out paraphrases)."""
    held = held_out_questions(entries)
    index = KbIndex.build(entries, userdict, held_out={q for q, _ in held})
    truth = np.array([i for _, i in held])
    in_scores = [index.scores(q) for q, _ in held]
    ood_scores = [index.scores(q) for q in out_of_scope_examples()]

    best: tuple[float, Params] | None = None
    for alpha in ALPHAS:
        for temperature in TEMPERATURES:
            p = Params(alpha=alpha, temperature=temperature)
            mixed = np.array([index.mix(a, b, p) for a, b in in_scores])
            top1 = float(np.mean(mixed.argmax(axis=1) == truth))
            if best is None or top1 > best[0]:
                best = (top1, p)
    assert best is not None
    top1, p = best
    mixed = np.array([index.mix(a, b, p) for a, b in in_scores])
    top = mixed.max(axis=1)
    right = mixed.argmax(axis=1) == truth
    ood_top = np.array([index.mix(a, b, p).max() for a, b in ood_scores])

    def answer_ok(t: float) -> bool:
        answered = top >= t
        precision = right[answered].mean() if answered.any() else 1.0
        return bool(precision >= MIN_ANSWER_PRECISION and (ood_top >= t).mean() <= MAX_OOD_ANSWERED)

    answer_t = _lowest_threshold(np.concatenate([top, ood_top]), answer_ok)
    choice_t = _lowest_threshold(
        np.concatenate([top, ood_top]),
        lambda t: t <= answer_t and (ood_top >= t).mean() <= MAX_OOD_OFFERED,
    )
    params = Params(p.alpha, p.temperature, round(answer_t, 4), round(min(choice_t, answer_t), 4))
    answered = top >= params.answer_threshold
    return Calibration(
        params=params,
        held_out=len(held),
        top1=round(top1, 4),
        answered=round(float(answered.mean()), 4),
        answer_precision=round(float(right[answered].mean()) if answered.any() else 1.0, 4),
        ood_answered=round(float((ood_top >= params.answer_threshold).mean()), 4),
        ood_offered=round(float((ood_top >= params.choice_threshold).mean()), 4),
    )
