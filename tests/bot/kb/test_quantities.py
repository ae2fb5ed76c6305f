from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.quantities import (
    THRESHOLDS_FILE,
    KbError,
    find_quantities,
    load_rules,
    nlp,
    quantities,
    quantity_lines,
    rule_entries,
)

PROJECTS = "communication-key-projects"
ONE_STOP = "construction-one-stop-center"


@pytest.mark.parametrize(
    ("text", "kind", "value", "assumed"),
    [
        ("投资二十亿的项目", "CNY", 2e9, True),
        ("五千万美元的外资项目", "USD", 5e7, False),
        ("六千平方米的仓库", "AREA", 6000, False),
        ("两万平的厂房", "AREA", 20000, False),
        ("1.5亿美元", "USD", 1.5e8, False),
        ("一亿五千万元的内资项目", "CNY", 1.5e8, False),
        ("８０００万元", "CNY", 8e7, False),
    ],
)
def test_quantities_are_extracted_and_normalised(
    text: str, kind: str, value: float, assumed: bool
) -> None:
    [q] = quantities(text)
    assert (q.kind, q.value, q.assumed) == (kind, value, assumed)
    assert find_quantities(text) == [q]


@pytest.mark.parametrize("text", ["一站式服务", "平安保险", "一网通办", "外资项目投资3亿"])
def test_no_quantity_where_none_is_stated(text: str) -> None:
    assert quantities(text) == ()


def test_the_pipeline_is_spacy_blank_chinese_with_jieba() -> None:
    pipeline = nlp()
    assert pipeline.lang == "zh"
    assert pipeline.pipe_names == ["jiading_quantities"]
    doc = pipeline("外资项目投资五千万美元")
    assert [(e.label_, e._.amount) for e in doc.ents] == [("USD", 5e7)]


@pytest.mark.parametrize(
    ("text", "entry", "expected"),
    [
        ("投资二十亿的项目区里谁对接", PROJECTS, "区四套班子领导联系"),
        ("内资项目投资3亿元", PROJECTS, "相关职能部门和街镇领导联系"),
        ("我们投资八千万", PROJECTS, "原文没有规定"),
        ("五千万美元的外资项目", PROJECTS, "相关职能部门和街镇领导联系"),
        ("外资投资2亿美元", PROJECTS, "区四套班子领导联系"),
        ("外资投资500万美元", PROJECTS, "原文没有规定"),
        ("六千平方米的仓库", ONE_STOP, "“一站式中心”"),
        ("1万平方米的厂房", ONE_STOP, "在1万平方米以下"),
        ("两万平的厂房", ONE_STOP, "不在本条"),
    ],
)
def test_thresholds_of_articles_8_and_26(text: str, entry: str, expected: str) -> None:
    [line] = quantity_lines(text, entry)
    assert expected in line
    assert entry in rule_entries(text)


def test_quantities_only_matter_for_their_entry() -> None:
    assert quantity_lines("六千平方米的仓库", PROJECTS) == []


def test_threshold_numbers_are_checked_against_the_source(tmp_path: Path) -> None:
    bad = tmp_path / "thresholds.yml"
    bad.write_text(
        THRESHOLDS_FILE.read_text(encoding="utf-8").replace("10亿元以上，", "20亿元以上，"),
        encoding="utf-8",
    )
    with pytest.raises(KbError, match="20 does not occur in the source"):
        load_rules(bad)
