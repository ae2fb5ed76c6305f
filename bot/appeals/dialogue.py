"""How the appeal form reads replies that are not field values, and what it shows back.

Words live in config/appeal_dialogue.yml; field labels and options in config/appeal_fields.yml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.appeals.fields import DESCRIPTION_MIN, FIELDS, load_field_config
from bot.appeals.masking import mask_phone
from bot.settings import PROJECT_ROOT

DIALOGUE_FILE = PROJECT_ROOT / "config" / "appeal_dialogue.yml"
# The form's fields in the order they are asked (issue 4: name, code, contact, phone, town,
# category, description).
_PUNCT_RE = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class DialogueConfig:
    """Words for opening phrases, cancelling, confirming, editing and questions."""

    generic_phrases: tuple[str, ...]
    cancel_words: tuple[str, ...]
    confirm_words: tuple[str, ...]
    edit_words: dict[str, tuple[str, ...]]
    edit_markers: tuple[str, ...]
    question_markers: tuple[str, ...]


@cache
def load_dialogue(path: Path = DIALOGUE_FILE) -> DialogueConfig:
    """Load config/appeal_dialogue.yml; an edit field must be one of the form's fields."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    edits = {str(k): tuple(map(str, v)) for k, v in data["edit_words"].items()}
    unknown = set(edits) - set(FIELDS)
    if unknown:
        raise ValueError(f"{path}: edit_words for unknown fields {sorted(unknown)}")
    return DialogueConfig(
        generic_phrases=tuple(sorted(map(str, data["generic_phrases"]), key=len, reverse=True)),
        cancel_words=tuple(map(str, data["cancel_words"])),
        confirm_words=tuple(map(str, data["confirm_words"])),
        edit_words=edits,
        edit_markers=tuple(map(str, data["edit_markers"])),
        question_markers=tuple(map(str, data["question_markers"])),
    )


def _plain(text: str) -> str:
    return _PUNCT_RE.sub("", text).lower()


def prefill_description(text: str) -> str | None:
    """Return the opening message as the description if it already tells the matter."""
    if text.startswith("/"):
        return None
    rest = _plain(text)
    for phrase in load_dialogue().generic_phrases:
        rest = rest.replace(_plain(phrase), "")
    return text.strip() if len(rest) >= DESCRIPTION_MIN else None


def is_cancel(text: str) -> bool:
    """Tell whether the user wants to stop filing."""
    plain = _plain(text)
    return any(_plain(w) in plain for w in load_dialogue().cancel_words) and len(plain) <= 12


def looks_like_question(text: str) -> bool:
    """Tell whether the text is phrased as a question (for policy questions mid-form)."""
    return any(m in text for m in load_dialogue().question_markers)


@dataclass(frozen=True)
class Confirmation:
    """The answer at the confirmation step: confirm, cancel, edit a field, or unclear."""

    kind: str  # "confirm" | "cancel" | "edit" | "unclear"
    field: str | None = None


def read_confirmation(text: str) -> Confirmation:
    """Read 「确认提交」, 「修改电话」/「电话填错了」 or 「取消」 at the confirmation step."""
    config = load_dialogue()
    plain = _plain(text)
    if is_cancel(text):
        return Confirmation("cancel")
    if text.startswith("/edit_"):
        field = text.removeprefix("/edit_")
        return Confirmation("edit", field) if field in FIELDS else Confirmation("unclear")
    if any(_plain(m) in plain for m in config.edit_markers):
        for field in FIELDS:
            if any(_plain(w) in plain for w in config.edit_words.get(field, ())):
                return Confirmation("edit", field)
        return Confirmation("unclear")
    if any(_plain(w) == plain or plain.startswith(_plain(w)) for w in config.confirm_words):
        return Confirmation("confirm")
    return Confirmation("unclear")


def display_value(field: str, value: str) -> str:
    """Return a stored value as the user should see it (phone masked, category by label)."""
    if field == "phone":
        return mask_phone(value)
    if field == "category":
        return load_field_config().category(value).label
    return value


def summary_lines(values: Mapping[str, str]) -> list[str]:
    """Return 「企业名称：…」 lines for the confirmation step, personal data masked."""
    labels = load_field_config().fields
    return [f"{labels[f].label}：{display_value(f, values[f])}" for f in FIELDS if values.get(f)]
