"""Views of appeals for readers who do not need the contact details: lists and queues.

A list of appeals shows many enterprises' contacts at once to everyone in a department, and
the reader needs none of them to choose what to open; so lists carry the phone and contact
name masked and numbers typed into free text masked. The full details are in one appeal's
staff view, whose every read is recorded (``AppealService.staff_view``).
"""

from __future__ import annotations

from typing import Any

from bot.appeals.masking import MASK, mask_phone, mask_text
from bot.routing.service import PURGED


def masked_phone(e164: str | None) -> str | None:
    """Return the phone masked (138****5678); None once purged."""
    if not e164:
        return None
    try:
        return mask_phone(e164)
    except ValueError:
        return MASK


def masked_name(name: str | None) -> str | None:
    """Return a contact name with only its first character kept (王经理 -> 王**)."""
    if not name or name == PURGED:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def listed(appeal: dict[str, Any]) -> dict[str, Any]:
    """Return a staff view of one appeal fit for a list: contact details masked."""
    row = dict(appeal)
    row["phone"] = masked_phone(appeal.get("phone"))
    row["contact_name"] = masked_name(appeal.get("contact_name"))
    for field in ("description", "reply", "rating_comment"):
        if isinstance(appeal.get(field), str):
            row[field] = mask_text(appeal[field])
    if "events" in appeal:
        row["events"] = [
            {**e, "note": mask_text(e["note"]) if isinstance(e.get("note"), str) else e.get("note")}
            for e in appeal["events"]
        ]
    return row
