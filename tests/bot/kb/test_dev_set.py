"""The policy development set is large, labelled with real articles, and never trained on."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml

from bot.kb import evalsets
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


def test_plain_talk_set_shape(kb_entries: dict[str, Entry]) -> None:
    plain = _load("plain_talk_dev.yml")
    assert len(plain) >= 300
    assert {a for q in plain for a in q["articles"]} == set(range(1, 36))  # type: ignore[attr-defined]
    for q in plain:
        assert set(q["entries"]) <= set(kb_entries), q["q"]  # type: ignore[arg-type]
    assert len({_key(str(q["q"])) for q in plain}) == len(plain)
    calibrate, report = (evalsets.plain_talk(p) for p in (evalsets.CALIBRATE, evalsets.REPORT))
    assert len(calibrate) + len(report) == len(plain)
    assert not {q.text for q in calibrate} & {q.text for q in report}


def test_plain_talk_set_is_not_the_knowledge_base(kb_entries: dict[str, Entry]) -> None:
    # No paraphrase is a near-copy of a question; a question may ask about an entry by its
    # name («两步申报是啥»), but not be just the name.
    paraphrases = [_key(q) for e in kb_entries.values() for q in e.questions]
    names = {_key(n) for e in kb_entries.values() for n in (e.title, *e.synonyms)}
    leaked = [
        q["q"]
        for q in _load("plain_talk_dev.yml") + _load("near_domain_negatives.yml")
        if difflib.get_close_matches(_key(str(q["q"])), paraphrases, n=1, cutoff=0.8)
        or _key(str(q["q"])) in names
    ]
    assert leaked == []


def test_near_domain_negatives() -> None:
    near = _load("near_domain_negatives.yml")
    assert len(near) >= 150
    groups = {str(q["group"]) for q in near}
    assert groups == {"personal", "elsewhere", "small_talk", "complaint"}
    assert len(evalsets.near_domain(evalsets.REPORT)) >= 75


def test_shared_out_of_domain_queries_are_optional(tmp_path: Path) -> None:
    assert evalsets.out_of_domain(evalsets.CALIBRATE, tmp_path / "absent") == ()
    assert not evalsets.ood_available(tmp_path / "absent")
    folder = tmp_path / "train"
    folder.mkdir()
    (folder / "music.txt").write_text("\ufeff放一首歌\n\n放一首歌\n明天天气\n", encoding="utf-8")
    assert evalsets.out_of_domain(evalsets.CALIBRATE, tmp_path) == ("放一首歌", "明天天气")
