"""Chinese wording read from config files, checked, once per process.

Code is English; what users and staff read lives in data: the dialogue's responses in
`domain.yml`, the appeal side in `config/appeal_*.yml`, the chat channels' own replies in
`config/channel_wording.yml` and the service's (API errors, staff labels, event notes) in
`config/service_wording.yml`. :func:`load_texts` reads such a file into a frozen dataclass
whose fields are its keys: each value a non-empty text or a mapping of code → non-empty text.
A missing, empty or unknown key fails loudly at the first read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from bot.settings import PROJECT_ROOT

SERVICE_WORDING_FILE = PROJECT_ROOT / "config" / "service_wording.yml"

Texts = TypeVar("Texts")


class WordingError(ValueError):
    """A wording file lacks a text, has an empty one or names an unknown key."""


def _usable(value: Any, mapping: bool) -> bool:
    """Tell a non-empty text, or (``mapping``) a non-empty mapping of code → text."""
    if not mapping:
        return isinstance(value, str) and bool(value.strip())
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and _usable(v, False) for k, v in value.items())
    )


def load_texts(kind: type[Texts], path: Path) -> Texts:
    """Read ``path`` into the dataclass ``kind``, one field per key; raise WordingError.

    A field annotated ``Mapping[...]`` takes a mapping of code → text, any other a text.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise WordingError(f"{path}: expected a mapping of texts")
    fields = {
        field.name: str(field.type).startswith("Mapping")
        for field in dataclasses.fields(kind)  # type: ignore[arg-type]
    }
    unknown = sorted(set(data) - set(fields))
    empty = [name for name, mapping in fields.items() if not _usable(data.get(name), mapping)]
    if unknown or empty:
        raise WordingError(f"{path}: missing or empty {empty}, unknown {unknown}")
    values = {
        name: MappingProxyType(dict(data[name])) if mapping else data[name]
        for name, mapping in fields.items()
    }
    return kind(**values)


@dataclass(frozen=True)
class ServiceWording:
    """What the service says to staff and API clients: see config/service_wording.yml."""

    appeal_channels: Mapping[str, str]
    appeal_not_found: str
    staff_token_required: str
    idempotency_conflict: str
    rating_before_reply: str
    note_lead_department: str
    note_rating: str
    note_low_rating: str
    note_overdue: str
    note_purged: str
    purged_value: str
    body_too_large: str
    too_many_requests: str
    console_question_empty: str
    console_unknown_department: str
    console_triage_only_filter: str
    console_unknown_town: str
    kb_choices_note: str
    kb_no_match_note: str
    handoff_channels: Mapping[str, str]
    handoff_reasons: Mapping[str, str]
    handoff_statuses: Mapping[str, str]
    handoff_ended: str
    handoff_taken_by_other: str
    handoff_not_taken: str
    handoff_taken_by_you: str
    handoff_not_found: str
    handoff_desk_only: str
    handoff_chat_unavailable: str
    handoff_empty_message: str
    handoff_unreachable_channel: str


@cache
def service_wording(path: Path = SERVICE_WORDING_FILE) -> ServiceWording:
    """Read the service's texts (cached: the file is read once per process)."""
    return load_texts(ServiceWording, path)
