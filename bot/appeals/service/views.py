"""Views of appeals for readers who do not need the contact details: lists and queues.

A list of appeals shows many enterprises' contacts at once to everyone in a department, and
the reader needs none of them to choose what to open; so lists carry the phone and contact
name masked and numbers typed into free text masked. The full details are in one appeal's
staff view, whose every read is recorded (``Queries.staff_view``).
"""

from __future__ import annotations

import re
from typing import Any

from bot.appeals.masking import MASK, mask_phone, mask_text
from bot.wording import service_wording

# What mask_text leaves because it cannot tell what it is — an ID number with a wrong check
# character, a landline of another city, a number written with dots — a list still hides:
# any run of 7 or more digits (single spaces, dots or dashes between them, an ID number's X at
# the end) keeps only its last 4. Tracking numbers (JD-...) and credit codes (digits then
# letters) are left. Over-masking a list is cheap: the full text is one click away.
_LONG_NUMBER = re.compile(r"(?<![0-9])(?<!JD-)[0-9](?:[ .\-]?[0-9]){6,}[Xx]?(?![0-9A-Za-z])")


def masked_text(text: str) -> str:
    """Return free text fit for a list: known numbers masked, any other long number too."""
    return _LONG_NUMBER.sub(_keep_last4, mask_text(text))


def _keep_last4(match: re.Match[str]) -> str:
    digits = [ch for ch in match.group() if ch.isdigit() or ch in "Xx"]
    return MASK + "".join(digits[-4:])


def masked_phone(e164: str | None) -> str | None:
    """Return the phone masked (138****5678); None once purged."""
    if not e164:
        return None
    try:
        return mask_phone(e164)
    except ValueError:
        return MASK


def masked_name(name: str | None) -> str | None:
    """Return a contact name with only its first character kept (王经理 -> 王**; 李 -> *)."""
    if not name or name == service_wording().purged_value:
        return name
    return "*" if len(name) == 1 else name[0] + "*" * (len(name) - 1)


def listed(appeal: dict[str, Any]) -> dict[str, Any]:
    """Return a staff view of one appeal fit for a list: contact details masked."""
    row = dict(appeal)
    row["phone"] = masked_phone(appeal.get("phone"))
    row["contact_name"] = masked_name(appeal.get("contact_name"))
    for field in ("description", "reply", "rating_comment"):
        if isinstance(appeal.get(field), str):
            row[field] = masked_text(appeal[field])
    if "events" in appeal:
        row["events"] = [
            {
                **e,
                "note": masked_text(e["note"]) if isinstance(e.get("note"), str) else e.get("note"),
            }
            for e in appeal["events"]
        ]
    return row
