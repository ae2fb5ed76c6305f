from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.kb.glossary import GLOSSARY_FILE, KB_DIR
from bot.kb.schema import MIN_QUESTIONS, STATUS_FILE, KbError, load_entries, tidy


@pytest.fixture(scope="module")
def entries():  # type: ignore[no-untyped-def]
    return load_entries(KB_DIR)


def test_the_knowledge_base_is_valid_and_covers_the_document(entries) -> None:  # type: ignore[no-untyped-def]
    covered = {a for e in entries for a in e.articles}
    assert set(range(1, 36)) <= covered
    for entry in entries:
        assert len(entry.questions) >= MIN_QUESTIONS
        assert entry.answer == tidy(entry.answer)


GOOD_ENTRY: dict[str, object] = {
    "id": "talent-gold-card",
    "title": "精英人才服务金卡",
    "source": "嘉府规〔2020〕8号",
    "articles": [29],
    "answer": "区里为符合条件的企业人才提供金卡等八大类21项服务。",
    "facts": ["八大类21项服务"],
    "lead": [],
    "responsible": ["区人力资源社会保障局"],
    "who": "区内符合条件的企业人才",
    "how": [],
    "period": {"kind": "ongoing"},
    "synonyms": ["金卡"],
    "questions": [f"金卡问题{i}" for i in range(MIN_QUESTIONS)],
}


def write_kb(tmp_path: Path, entries: list[dict[str, object]], topic: str = "talent") -> Path:
    kb = tmp_path / "kb"
    (kb / "entries").mkdir(parents=True)
    shutil.copy(KB_DIR / GLOSSARY_FILE, kb / GLOSSARY_FILE)
    (kb / "source").mkdir()
    shutil.copy(KB_DIR / STATUS_FILE, kb / STATUS_FILE)
    doc = {"topic": topic, "topic_title": "人才", "entries": entries}
    (kb / "entries" / f"{topic}.yml").write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return kb


def field_line(kb: Path, field: str, nth: int = 1) -> int:
    lines = (kb / "entries" / "talent.yml").read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if line.lstrip("- ").startswith(f"{field}:")]
    return hits[nth - 1]


def test_a_good_entry_loads(tmp_path: Path) -> None:
    [entry] = load_entries(write_kb(tmp_path, [GOOD_ENTRY]))
    assert entry.id == "talent-gold-card" and entry.articles == (29,)
    assert entry.topic == "talent" and entry.topic_title == "人才"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"articles": [36]}, "articles", "has no article 36"),
        ({"articles": []}, "articles", "non-empty list"),
        ({"answer": "提供2000万元资金。"}, "answer", "2000 in answer is not in article(s) 29"),
        # 1000万元 is in the document (article 6), not in the article this entry cites
        ({"answer": "提供1000万元资金。"}, "answer", "1000 in answer is not in article(s) 29"),
        ({"facts": ["九大类服务"]}, "facts", "九大类 in facts is not in article(s) 29"),
        ({"lead": ["区经委"]}, "lead", "lead must be []"),
        ({"responsible": ["区税务局"]}, "responsible", "区人力资源社会保障局"),
        ({"answer": "长" * 251}, "answer", "1-250 characters"),
        ({"questions": ["只有一个问题"]}, "questions", f"at least {MIN_QUESTIONS}"),
        ({"id": "Talent_Gold"}, "id", "kebab-case"),
        ({"source": "沪府规〔2099〕1号"}, "source", "unknown source"),
        ({"synonyms": "金卡"}, "synonyms", "list of non-empty texts"),
        ({"extra": 1}, "extra", "unknown field"),
        ({"period": "疫情期间"}, "period", "period must be a mapping"),
        ({"period": {"kind": "seasonal"}}, "period", "period.kind must be one of"),
        ({"period": {"kind": "epidemic-2020"}}, "period", "needs period.label"),
        ({"period": {"kind": "target", "label": "年底前"}}, "period", "needs period.year"),
        # a measure of a past period offered as if available today
        (
            {
                "period": {"kind": "epidemic-2020", "label": "2020年疫情期间"},
                "answer": "企业人才可以享受金卡等八大类21项服务。",
            },
            "answer",
            "offers 可以享受 as if available today",
        ),
        (
            {
                "period": {"kind": "target", "year": 2020, "label": "2020年底前"},
                "answer": "企业人才可申请金卡等八大类21项服务。",
            },
            "answer",
            "offers 可申请",
        ),
        # a claim about the document's validity its recorded status (unknown) does not support
        ({"answer": "这项政策长期有效，人才可申请金卡。"}, "answer", "claims 长期有效"),
        ({"answer": "文件已失效，仅供参考。"}, "answer", "claims 已失效"),
        ({"answer": "本意见有效期至年底。"}, "answer", "claims 有效期至"),
    ],
)
def test_errors_name_the_file_and_line(
    tmp_path: Path, change: dict[str, object], field: str, message: str
) -> None:
    kb = write_kb(tmp_path, [{**GOOD_ENTRY, **change}])
    with pytest.raises(KbError) as err:
        load_entries(kb)
    assert message in str(err.value)
    assert err.value.path.name == "talent.yml"
    assert err.value.line == field_line(kb, field)


def test_past_tense_for_a_past_period_loads(tmp_path: Path) -> None:
    past = {
        **GOOD_ENTRY,
        "period": {"kind": "epidemic-2020", "label": "2020年疫情期间"},
        "answer": "2020年疫情期间，区里为企业人才提供了金卡等八大类21项服务。",
    }
    [entry] = load_entries(write_kb(tmp_path, [past]))
    assert entry.period.is_past() and entry.period.label == "2020年疫情期间"


def test_missing_field(tmp_path: Path) -> None:
    broken = {k: v for k, v in GOOD_ENTRY.items() if k != "who"}
    with pytest.raises(KbError, match="missing field"):
        load_entries(write_kb(tmp_path, [broken]))


def test_repeated_id_and_question_across_entries(tmp_path: Path) -> None:
    twin = {**GOOD_ENTRY, "questions": [f"银卡问题{i}" for i in range(MIN_QUESTIONS)]}
    with pytest.raises(KbError, match="repeats"):
        load_entries(write_kb(tmp_path, [GOOD_ENTRY, twin]))
    other = {**GOOD_ENTRY, "id": "talent-silver-card"}
    with pytest.raises(KbError, match="question '金卡问题0' of talent-silver-card repeats"):
        load_entries(write_kb(tmp_path / "b", [GOOD_ENTRY, other]))


def test_invalid_yaml_points_at_the_line(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, [GOOD_ENTRY])
    path = kb / "entries" / "talent.yml"
    path.write_text("topic: talent\ntopic_title: 人才\nentries:\n  - id: [oops\n", encoding="utf-8")
    with pytest.raises(KbError) as err:
        load_entries(kb)
    assert "not valid YAML" in str(err.value) and err.value.line >= 4


def test_topic_must_match_the_file_name(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, [GOOD_ENTRY])
    (kb / "entries" / "talent.yml").rename(kb / "entries" / "people.yml")
    with pytest.raises(KbError, match="equal 'people'"):
        load_entries(kb)


def test_tidy_removes_folding_spaces_between_chinese() -> None:
    assert (
        tidy("服务； 投资总额在10亿元 以上\n联系 the  end")
        == "服务；投资总额在10亿元以上联系the end"
    )
