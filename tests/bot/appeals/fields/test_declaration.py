"""The seven fields are declared once; every user of the list takes it from there."""

from __future__ import annotations

import pytest

from bot.appeals import dialogue, fields
from tests.bot.appeals.fields.support import raw_config


def test_the_declaration_lists_seven_fields_in_the_forms_order() -> None:
    order = "enterprise_name credit_code contact_name phone town category description"
    assert tuple(order.split()) == fields.FIELDS
    assert tuple(fields.VALIDATORS) == fields.FIELDS


def test_the_config_and_the_problem_codes_cover_exactly_the_declared_fields() -> None:
    assert list(raw_config()["fields"]) == list(fields.FIELDS)
    assert set(fields.PROBLEMS) == set(fields.FIELDS)


def test_the_chat_dialogue_uses_the_declaration() -> None:
    assert dialogue.FIELDS is fields.FIELDS


def test_the_declaration_cannot_be_changed_by_a_caller() -> None:
    with pytest.raises(TypeError):
        fields.VALIDATORS["extra"] = fields.description  # type: ignore[index]
