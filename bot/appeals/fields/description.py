"""The description of the appeal: enough to act on, not too long."""

from __future__ import annotations

from bot.appeals.fields.config import FieldResult, Valid, problem

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 1000


def description(text: str) -> FieldResult:
    """Return the description, trimmed, if it says enough and is not too long."""
    field = "description"
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        return problem(field, "description_empty")
    content = sum(ch.isalnum() for ch in body)
    if content < DESCRIPTION_MIN:
        return problem(field, "description_too_short", count=content, min=DESCRIPTION_MIN)
    if len(body) > DESCRIPTION_MAX:
        return problem(field, "description_too_long", length=len(body), max=DESCRIPTION_MAX)
    return Valid(body)
