"""The seven fields are declared once; every user of the list takes it from there."""

from __future__ import annotations

import pytest

from bot.appeals import dialogue, fields
from bot.appeals.service import intake
from bot.appeals.service.api import AppealIn
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


def test_the_service_intake_checks_every_declared_field() -> None:
    """The intake has no list of its own: every declared field is checked, none other."""
    body = {name: "" for name in fields.FIELDS}
    with pytest.raises(intake.FieldProblems) as raised:
        intake.normalise_body(body)
    assert list(raised.value.problems) == list(fields.FIELDS)
    assert not hasattr(intake, "VALIDATORS")


def test_the_api_body_has_the_declared_fields_and_limits() -> None:
    schema = AppealIn.schema()["properties"]
    assert [name for name in schema if name != "channel"] == list(fields.FIELDS)
    for declared in fields.DECLARATION:
        assert schema[declared.name]["maxLength"] == declared.max_length
