"""The town (街镇) and the appeal category: one of the lists of `config/appeal_fields.yml`."""

from __future__ import annotations

import re

from bot.appeals.fields.config import FieldConfig, FieldResult, Valid, load_field_config, problem
from bot.appeals.fields.text import choice_key


def _town_names(config: FieldConfig, town_name: str) -> list[str]:
    return [town_name, *(a for a, t in config.town_aliases.items() if t == town_name)]


def town(text: str) -> FieldResult:
    """Return one of the towns of `config/appeal_fields.yml` from its name or a short form."""
    field, config = "town", load_field_config()
    towns = "、".join(config.towns)
    key = choice_key(text)
    if not key:
        return problem(field, "town_empty", towns=towns)
    stripped = True
    while stripped:
        stripped = False
        for prefix in config.town_prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, stripped = key[len(prefix) :], True
    if key in config.towns:
        return Valid(key)
    if key in config.town_aliases:
        return Valid(config.town_aliases[key])
    # Part of a name ("嘉定" → three towns) or a name inside a longer text ("南翔镇人民街").
    candidates = [
        name
        for name in config.towns
        if any((len(key) >= 2 and key in form) or form in key for form in _town_names(config, name))
    ]
    if len(candidates) == 1:
        return Valid(candidates[0])
    if candidates:
        return problem(field, "town_ambiguous", candidates="、".join(candidates), towns=towns)
    return problem(field, "town_unknown", towns=towns)


def _code_key(text: str) -> str:
    return text.casefold().replace("_", "").replace("-", "")


def category(text: str) -> FieldResult:
    """Return a category code from its label, its code or its number (1-based)."""
    field, config = "category", load_field_config()
    options = "\n".join(f"{i}. {c.label}" for i, c in enumerate(config.categories, start=1))
    key = choice_key(text)
    if not key:
        return problem(field, "category_empty", options=options)
    number = re.fullmatch(r"第?([0-9]+)[项类个号]?", key)
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(config.categories):
            return Valid(config.categories[index - 1].code)
        return problem(
            field,
            "category_number",
            number=number.group(1),
            count=len(config.categories),
            options=options,
        )
    for item in config.categories:
        if key == item.label or _code_key(key) == _code_key(item.code):
            return Valid(item.code)
    candidates = [
        c for c in config.categories if (len(key) >= 2 and key in c.label) or c.label in key
    ]
    if len(candidates) == 1:
        return Valid(candidates[0].code)
    if candidates:
        labels = "、".join(c.label for c in candidates)
        return problem(field, "category_ambiguous", candidates=labels, options=options)
    return problem(field, "category_unknown", options=options)
