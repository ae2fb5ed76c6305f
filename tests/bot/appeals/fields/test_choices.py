"""The town and the category."""

from __future__ import annotations

import pytest

from bot.appeals.fields import (
    Problem,
    category,
    load_field_config,
    town,
)
from tests.bot.appeals.fields.support import (
    problem_code,
    value,
)

# --- town ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", load_field_config().towns)
def test_town_button_labels_are_accepted_exactly(name: str) -> None:
    assert value(town(name)) == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("南翔", "南翔镇"),
        ("安亭镇", "安亭镇"),
        ("工业区", "嘉定工业区"),
        ("新城", "嘉定新城"),
        ("菊园", "菊园新区"),
        ("真新", "真新街道"),
        ("新成路", "新成路街道"),
        ("嘉定镇", "嘉定镇街道"),
        (" 马陆 ", "马陆镇"),
        ("江桥。", "江桥镇"),
        ("上海市嘉定区外冈镇", "外冈镇"),
        ("嘉定区徐行", "徐行镇"),
        ("南翔镇人民街", "南翔镇"),
        ("新成路街道办事处", "新成路街道"),
    ],
)
def test_town_short_forms(text: str, expected: str) -> None:
    assert value(town(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "town_empty"),
        ("嘉定", "town_ambiguous"),
        ("街道", "town_ambiguous"),
        ("南翔或者江桥", "town_ambiguous"),
        ("浦东新区", "town_unknown"),
        ("嘉定区", "town_unknown"),
        ("翔", "town_unknown"),
    ],
)
def test_town_problems(text: str, code: str) -> None:
    assert problem_code(town(text)) == code


def test_town_messages_list_the_choices() -> None:
    ambiguous = town("嘉定")
    assert isinstance(ambiguous, Problem)
    assert "嘉定镇街道、嘉定工业区、嘉定新城" in ambiguous.message
    unknown = town("浦东")
    assert isinstance(unknown, Problem)
    assert all(name in unknown.message for name in load_field_config().towns)


def test_every_alias_leads_to_its_town() -> None:
    config = load_field_config()
    for alias, name in config.town_aliases.items():
        assert value(town(alias)) == name


# --- category --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("税务", "tax"),
        ("政务服务与一网通办", "government_service"),
        ("tax", "tax"),
        ("TAX", "tax"),
        ("private_economy", "private_economy"),
        ("Private-Economy", "private_economy"),
        ("1", "tax"),
        ("３", "hiring"),
        ("16", "other"),
        ("第5项", "penalty"),
        ("14.", "government_service"),
        ("社保", "hiring"),
        ("知识产权问题", "ip"),
    ],
)
def test_category_good(text: str, expected: str) -> None:
    assert value(category(text)) == expected


def test_every_category_by_label_code_and_number() -> None:
    for number, item in enumerate(load_field_config().categories, start=1):
        assert value(category(item.label)) == item.code
        assert value(category(item.code)) == item.code
        assert value(category(str(number))) == item.code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "category_empty"),
        ("0", "category_number"),
        ("17", "category_number"),
        ("服务", "category_ambiguous"),
        ("税务和人才服务", "category_ambiguous"),
        ("买房", "category_unknown"),
        ("税", "category_unknown"),
    ],
)
def test_category_problems(text: str, code: str) -> None:
    assert problem_code(category(text)) == code


def test_category_messages_list_the_options() -> None:
    result = category("17")
    assert isinstance(result, Problem)
    assert "序号应在1到16之间，您输入了17" in result.message
    assert "\n1. 税务\n" in result.message
    assert result.message.endswith("16. 其他")
