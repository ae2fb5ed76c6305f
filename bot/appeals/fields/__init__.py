"""The seven fields of an enterprise appeal (企业诉求), declared once.

:data:`DECLARATION` is the one declaration: each field's name, in the order the chat form asks,
its validator, how a form shows it and the longest text the service takes (:data:`FIELDS`,
:data:`VALIDATORS` and :data:`DECLARED` are views of it). The chat form (actions/appeal_form.py,
bot.appeals.dialogue), the service's intake and its API body, and the agent console's form
(which reads it from the console API) all take the field list from here; what users read
about each field (label, example, problem messages) is in `config/appeal_fields.yml`
(:mod:`bot.appeals.fields.config`).

Each validator takes the raw text the user typed and returns `Valid` with the normalised value
or `Problem` with a code and the Chinese explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from bot.appeals.fields.choices import category, town
from bot.appeals.fields.config import (
    CONFIG_PATH,
    PROBLEMS,
    Category,
    FieldConfig,
    FieldConfigError,
    FieldResult,
    FieldText,
    Problem,
    Valid,
    load_field_config,
    parse_field_config,
)
from bot.appeals.fields.credit_code import credit_code
from bot.appeals.fields.description import DESCRIPTION_MAX, DESCRIPTION_MIN, description
from bot.appeals.fields.names import contact_name, enterprise_name
from bot.appeals.fields.phone import phone

Validator = Callable[[str], FieldResult]
# How a form shows the field: one line, a phone number, a choice from a list, or a long text.
Kind = Literal["text", "tel", "choice", "long_text"]


@dataclass(frozen=True)
class AppealField:
    """One field of an appeal: its body key, validator and how a form shows it.

    ``max_length`` is the longest raw text the service takes for the field (the appeal API
    answers 422 past it); the validator then decides what is acceptable within it.
    """

    name: str
    validate: Validator
    kind: Kind
    max_length: int


# The declaration, in the order the form asks.
DECLARATION: tuple[AppealField, ...] = (
    AppealField("enterprise_name", enterprise_name, "text", 200),
    AppealField("credit_code", credit_code, "text", 60),
    AppealField("contact_name", contact_name, "text", 60),
    AppealField("phone", phone, "tel", 40),
    AppealField("town", town, "choice", 40),
    AppealField("category", category, "choice", 40),
    AppealField("description", description, "long_text", 4000),
)
# field → its declaration and field → validator, read-only.
DECLARED: Mapping[str, AppealField] = MappingProxyType({f.name: f for f in DECLARATION})
VALIDATORS: Mapping[str, Validator] = MappingProxyType({f.name: f.validate for f in DECLARATION})
FIELDS: tuple[str, ...] = tuple(DECLARED)

__all__ = [
    "CONFIG_PATH",
    "DECLARATION",
    "DECLARED",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "FIELDS",
    "PROBLEMS",
    "VALIDATORS",
    "AppealField",
    "Category",
    "FieldConfig",
    "FieldConfigError",
    "FieldResult",
    "FieldText",
    "Kind",
    "Problem",
    "Valid",
    "Validator",
    "category",
    "contact_name",
    "credit_code",
    "description",
    "enterprise_name",
    "load_field_config",
    "parse_field_config",
    "phone",
    "town",
]
