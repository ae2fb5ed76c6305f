"""The policy development set is large, labelled with real articles, and never trained on."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml

from bot.kb.schema import Entry
from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text)


def _load(name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load(Path(DATA / name).read_text(encoding="utf-8"))["questions"])


def test_dev_set_shape() -> None:
    dev = _load("policy_dev.yml")
    assert len(dev) >= 200
    assert sum(q["style"] == "colloquial" for q in dev) >= len(dev) / 2
    for q in dev:
        assert q["style"] in {"colloquial", "formal"}
        assert q["articles"] and all(1 <= a <= 35 for a in q["articles"])  # type: ignore[union-attr]
    assert len({_key(str(q["q"])) for q in dev}) == len(dev)


def test_dev_set_is_not_the_knowledge_base(kb_entries: dict[str, Entry]) -> None:
    trained = [_key(q) for e in kb_entries.values() for q in (e.title, *e.synonyms, *e.questions)]
    leaked = [
        q["q"]
        for q in _load("policy_dev.yml")
        if difflib.get_close_matches(_key(str(q["q"])), trained, n=1, cutoff=0.8)
    ]
    assert leaked == []


def test_out_of_domain_set() -> None:
    ood = _load("out_of_domain.yml")
    assert len(ood) >= 100
