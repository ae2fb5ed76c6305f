from __future__ import annotations

import pytest

from bot.kb.source import SOURCES, load_source, parse_articles
from bot.settings import PROJECT_ROOT
from tests.conftest import POLICY_SOURCE

DOC = "嘉府规〔2020〕8号"
SHARED_COPY = PROJECT_ROOT.parent / "shared" / "policy-source" / POLICY_SOURCE.name


def test_source_is_the_policy_document(policy_source: str) -> None:
    assert DOC in policy_source
    assert "35. 本实施意见自2020年10月25日起实施" in policy_source


@pytest.mark.skipif(not SHARED_COPY.exists(), reason="no shared/ folder beside the checkout")
def test_repository_copy_matches_shared(policy_source: str) -> None:
    assert SHARED_COPY.read_text(encoding="utf-8") == policy_source


def test_all_35_articles_are_found() -> None:
    _, articles = load_source(DOC)
    assert sorted(articles) == list(range(1, 36))


@pytest.mark.parametrize(
    ("number", "lead", "responsible"),
    [
        (1, (), ()),
        (3, ("区经委",), ("各街镇", "经济小区")),
        (4, ("区经委",), ("各街镇", "经济小区")),  # split by a page break, mixed brackets
        (6, (), ("区经委",)),
        (7, ("区经委",), ("区委办公室", "区政府办公室", "各委办局", "街镇")),
        (17, (), ("区税务局",)),
        (26, ("区建设管理委",), ("区规划资源局",)),
        (31, (), ("区司法局", "区市场监管局", "区应急管理局", "区文化旅游局", "区生态环境局")),
    ],
)
def test_departments_per_article(
    number: int, lead: tuple[str, ...], responsible: tuple[str, ...]
) -> None:
    article = load_source(DOC)[1][number]
    assert article.lead == lead
    assert article.responsible == responsible


def test_section_intros_and_signature_are_not_part_of_articles() -> None:
    _, articles = load_source(DOC)
    assert "完善全覆盖的服务体系是深化企业服务的重要基础" not in articles[2].text
    assert articles[35].text.endswith("以本意见为准。")
    assert "1000万元" in articles[6].text  # spaces removed


def test_source_metadata_occurs_in_the_text() -> None:
    for document, meta in SOURCES.items():
        compact, _ = load_source(document)
        assert meta.effective_text in compact
        assert meta.title in compact
        assert meta.interpreted_by in compact


def test_parse_minimal_document() -> None:
    text = "一、目标\n\n1. 第一条内容。\n\n2. 第二条\n\n续行。（牵头单位：甲；责任单位：乙、丙）\n"
    articles = parse_articles(text)
    assert articles[2].text == "第二条续行。（牵头单位：甲；责任单位：乙、丙）"
    assert articles[2].lead == ("甲",) and articles[2].responsible == ("乙", "丙")


@pytest.mark.parametrize(
    ("number", "heading"),
    [
        (1, None),  # opens with the goals, a long sentence
        (2, None),
        (3, "建立完善区镇两级企业服务网络体系"),
        (21, "支持企业直接融资"),
        (34, "营造良好氛围"),
        (35, None),  # entry into force
    ],
)
def test_heading_is_the_articles_short_first_sentence(number: int, heading: str | None) -> None:
    _, articles = load_source(DOC)
    assert articles[number].heading == heading
