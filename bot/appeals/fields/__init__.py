"""The seven fields of an enterprise appeal (企业诉求), declared once.

:data:`FIELDS` is the one declaration: each field's name, in the order the chat form asks,
and its validator. The chat form (actions/appeal_form.py, bot.appeals.dialogue), the service's
intake and the agent console's form (which reads it from the console API) all take the field
list from here; what users read about each field (label, example, problem messages) is in
`config/appeal_fields.yml` (:mod:`bot.appeals.fields.config`).

Each validator takes the raw text the user typed and returns `Valid` with the normalised value
or `Problem` with a code and the Chinese explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

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

# field → validator, in the order the form asks.
VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        "enterprise_name": enterprise_name,
        "credit_code": credit_code,
        "contact_name": contact_name,
        "phone": phone,
        "town": town,
        "category": category,
        "description": description,
    }
)
FIELDS: tuple[str, ...] = tuple(VALIDATORS)

__all__ = [
    "CONFIG_PATH",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "FIELDS",
    "PROBLEMS",
    "VALIDATORS",
    "Category",
    "FieldConfig",
    "FieldConfigError",
    "FieldResult",
    "FieldText",
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
