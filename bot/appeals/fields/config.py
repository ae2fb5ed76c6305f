"""What users read about the appeal fields (`config/appeal_fields.yml`), and the result types.

Each validator returns `Valid` with the normalised value, or `Problem` with a stable code
(e.g. ``uscc_check``) and the Chinese message from the config file, which also shows a valid
value. The codes of each field are fixed here; the file must give a message for each.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import yaml

from bot.input_guard import MAX_BUTTONS
from bot.settings import PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "appeal_fields.yml"

# field → problem code → the placeholders its message may use ({example} always may).
PROBLEMS: dict[str, dict[str, frozenset[str]]] = {
    "enterprise_name": {
        "name_empty": frozenset(),
        "name_too_short": frozenset({"length", "min"}),
        "name_too_long": frozenset({"length", "max"}),
        "name_not_a_name": frozenset({"min_letters"}),
        "name_is_credit_code": frozenset(),
        "name_is_phone": frozenset(),
        "name_is_question": frozenset(),
    },
    "credit_code": {
        "uscc_empty": frozenset(),
        "uscc_length": frozenset({"length"}),
        "uscc_chars": frozenset({"details"}),
        "uscc_check": frozenset(),
    },
    "contact_name": {
        "contact_empty": frozenset(),
        "contact_too_long": frozenset({"length", "max"}),
        "contact_chars": frozenset(),
        "contact_dot": frozenset(),
    },
    "phone": {
        "phone_empty": frozenset(),
        "phone_not_number": frozenset(),
        "phone_length": frozenset({"length"}),
        "phone_kind": frozenset(),
        "phone_invalid": frozenset(),
    },
    "town": {
        "town_empty": frozenset({"towns"}),
        "town_unknown": frozenset({"towns"}),
        "town_ambiguous": frozenset({"candidates", "towns"}),
    },
    "category": {
        "category_empty": frozenset({"options"}),
        "category_unknown": frozenset({"options"}),
        "category_number": frozenset({"number", "count", "options"}),
        "category_ambiguous": frozenset({"candidates", "options"}),
    },
    "description": {
        "description_empty": frozenset(),
        "description_too_short": frozenset({"count", "min"}),
        "description_too_long": frozenset({"length", "max"}),
    },
}
# A message shows a valid value through one of these.
_SHOWS_VALID_VALUE = frozenset({"example", "towns", "options", "candidates"})


@dataclass(frozen=True)
class Valid:
    """The normalised value of a field."""

    value: str


@dataclass(frozen=True)
class Problem:
    """Why the text is not a valid value: a stable code and the message users read."""

    code: str
    message: str


FieldResult: TypeAlias = Valid | Problem


class FieldConfigError(ValueError):
    """A problem in `config/appeal_fields.yml`, naming the file."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class FieldText:
    """What users read for one field: its label, a valid example and the problem messages."""

    label: str
    example: str
    problems: Mapping[str, str]


@dataclass(frozen=True)
class Category:
    """One appeal category: the stored code and the label users see."""

    code: str
    label: str


@dataclass(frozen=True)
class FieldConfig:
    """The contents of `config/appeal_fields.yml`."""

    fields: Mapping[str, FieldText]
    towns: tuple[str, ...]
    town_aliases: Mapping[str, str]
    town_prefixes: tuple[str, ...]
    categories: tuple[Category, ...]

    def category(self, code: str) -> Category:
        """Return the category with this code (KeyError if there is none)."""
        for item in self.categories:
            if item.code == code:
                return item
        raise KeyError(code)


def _texts(value: Any, path: Path, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FieldConfigError(path, f"{what} must be a list of non-empty texts")
    if len(set(value)) != len(value):
        raise FieldConfigError(path, f"{what} has repeated entries")
    return tuple(value)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _field_text(name: str, raw: Any, path: Path) -> FieldText:
    if not isinstance(raw, dict) or not {"label", "example", "problems"} <= set(raw):
        raise FieldConfigError(path, f"fields.{name} needs label, example and problems")
    problems = raw["problems"]
    if not isinstance(problems, dict):
        raise FieldConfigError(path, f"fields.{name}.problems must be a mapping")
    expected = PROBLEMS[name]
    missing, extra = set(expected) - set(problems), set(problems) - set(expected)
    if missing or extra:
        raise FieldConfigError(
            path,
            f"fields.{name}.problems: missing {sorted(missing)}, unknown {sorted(extra)}",
        )
    for code, template in problems.items():
        if not isinstance(template, str) or not template.strip():
            raise FieldConfigError(path, f"{code}: the message must be a non-empty text")
        try:
            used = _placeholders(template)
        except ValueError as exc:
            raise FieldConfigError(path, f"{code}: {exc}") from exc
        unknown = used - expected[code] - {"example"}
        if unknown:
            raise FieldConfigError(path, f"{code}: unknown placeholder(s) {sorted(unknown)}")
        if not used & _SHOWS_VALID_VALUE:
            raise FieldConfigError(
                path, f"{code}: the message must show a valid value ({{example}} or a list)"
            )
    return FieldText(str(raw["label"]), str(raw["example"]), dict(problems))


def parse_field_config(data: Any, path: Path) -> FieldConfig:
    """Check the structure of the appeal field file and build its config."""
    if not isinstance(data, dict):
        raise FieldConfigError(path, "expected a mapping")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or set(raw_fields) != set(PROBLEMS):
        raise FieldConfigError(path, f"fields must be exactly {sorted(PROBLEMS)}")
    field_texts = {name: _field_text(name, raw_fields[name], path) for name in PROBLEMS}

    towns = _texts(data.get("towns"), path, "towns")
    aliases = data.get("town_aliases")
    if not isinstance(aliases, dict):
        raise FieldConfigError(path, "town_aliases must be a mapping of short form → town")
    for alias, target in aliases.items():
        if target not in towns:
            raise FieldConfigError(path, f"town alias {alias!r} points to unknown town {target!r}")
        if alias in towns:
            raise FieldConfigError(path, f"town alias {alias!r} is itself a town")
    prefixes = _texts(data.get("town_prefixes"), path, "town_prefixes")

    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise FieldConfigError(path, "categories must be a non-empty list")
    categories = []
    for item in raw_categories:
        if not isinstance(item, dict) or not {"code", "label"} <= set(item):
            raise FieldConfigError(path, "each category needs code and label")
        code = str(item["code"])
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise FieldConfigError(path, f"category code {code!r} must be lower_snake_case")
        categories.append(Category(code, str(item["label"])))
    _texts([c.code for c in categories], path, "category codes")
    _texts([c.label for c in categories], path, "category labels")
    for what, count in (("towns", len(towns)), ("categories", len(categories))):
        if count > MAX_BUTTONS:  # each is offered as one message's buttons
            raise FieldConfigError(path, f"{what}: at most {MAX_BUTTONS} (one per button)")

    return FieldConfig(
        fields=field_texts,
        towns=towns,
        town_aliases={str(k): str(v) for k, v in aliases.items()},
        town_prefixes=prefixes,
        categories=tuple(categories),
    )


@cache
def load_field_config(path: Path = CONFIG_PATH) -> FieldConfig:
    """Return the checked contents of `config/appeal_fields.yml` (read once)."""
    return parse_field_config(yaml.safe_load(path.read_text(encoding="utf-8")), path)


def problem(field: str, code: str, **values: object) -> Problem:
    """Return the problem ``code`` of ``field`` with its message from the config filled in."""
    text = load_field_config().fields[field]
    return Problem(code, text.problems[code].format(example=text.example, **values))
