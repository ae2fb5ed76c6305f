"""The question sets the KB is calibrated and measured on, and how each is split.

- plain talk (`tests/data/plain_talk_dev.yml`): policy questions in owners' and accountants'
  own words, written from the source document by someone who never saw the KB, each with
  the entries that answer it; even positions calibrate, odd positions are reported;
- near-domain negatives (`tests/data/near_domain_negatives.yml`): personal matters, other
  places' policies, small talk, complaints; same split;
- document wording (`tests/data/policy_dev.yml`): reported only;
- out of domain (`../shared/ood/smp2017/`): real queries to a general assistant; `train`
  calibrates, `develop` is reported. Absent on a clean clone: then the sets are empty and
  the recorded calibration is used (bot.kb.calibrate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "tests" / "data"
PLAIN_TALK_FILE = DATA_DIR / "plain_talk_dev.yml"
NEAR_DOMAIN_FILE = DATA_DIR / "near_domain_negatives.yml"
POLICY_DEV_FILE = DATA_DIR / "policy_dev.yml"
OOD_DIR = PROJECT_ROOT.parent / "shared" / "ood" / "smp2017"

T = TypeVar("T")

CALIBRATE = "calibrate"
REPORT = "report"


@dataclass(frozen=True)
class Question:
    """A policy question and what answers it (entries may be empty: articles only)."""

    text: str
    articles: tuple[int, ...]
    entries: tuple[str, ...] = ()


def _half(items: Sequence[T], part: str) -> tuple[T, ...]:
    if part not in (CALIBRATE, REPORT):
        raise ValueError(f"unknown part {part!r}")
    return tuple(items[0::2] if part == CALIBRATE else items[1::2])


def _questions(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["questions"])


@cache
def plain_talk(part: str) -> tuple[Question, ...]:
    """Return one half of the plain-talk dev set."""
    items = [
        Question(str(q["q"]), tuple(q["articles"]), tuple(q.get("entries") or ()))
        for q in _questions(PLAIN_TALK_FILE)
    ]
    return _half(items, part)


@cache
def document_wording() -> tuple[Question, ...]:
    """Return the document-wording dev set (articles only)."""
    return tuple(Question(str(q["q"]), tuple(q["articles"])) for q in _questions(POLICY_DEV_FILE))


@cache
def near_domain(part: str) -> tuple[str, ...]:
    """Return one half of the near-domain negatives."""
    return _half([str(q["q"]) for q in _questions(NEAR_DOMAIN_FILE)], part)


def ood_available(ood_dir: Path = OOD_DIR) -> bool:
    """Whether the shared out-of-domain queries are on this machine."""
    return (ood_dir / "train").is_dir() and (ood_dir / "develop").is_dir()


@cache
def out_of_domain(part: str, ood_dir: Path = OOD_DIR) -> tuple[str, ...]:
    """Return the SMP2017 queries (train: calibrate, develop: report); empty if absent."""
    if part not in (CALIBRATE, REPORT):
        raise ValueError(f"unknown part {part!r}")
    folder = ood_dir / ("train" if part == CALIBRATE else "develop")
    if not folder.is_dir():
        return ()
    lines: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.lstrip("\ufeff").strip()
            if text:
                lines.append(text)
    return tuple(dict.fromkeys(lines))
