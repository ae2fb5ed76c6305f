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
    value,
)

# --- town ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", load_field_config().towns)
def test_town_button_labels_are_accepted_exactly(name: str) -> None:
    assert value(town(name)) == name


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


def test_every_category_by_label_code_and_number() -> None:
    for number, item in enumerate(load_field_config().categories, start=1):
        assert value(category(item.label)) == item.code
        assert value(category(item.code)) == item.code
        assert value(category(str(number))) == item.code


def test_category_messages_list_the_options() -> None:
    result = category("17")
    assert isinstance(result, Problem)
    assert "序号应在1到16之间，您输入了17" in result.message
    assert "\n1. 税务\n" in result.message
    assert result.message.endswith("16. 其他")
