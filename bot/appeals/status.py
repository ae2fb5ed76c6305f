"""Appeal progress in the chat: read a reference, compose the status text, read a rating."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

STATUS_FILE = PROJECT_ROOT / "config" / "appeal_status.yml"
_TRACKING_RE = re.compile(r"JD-?\s*(\d{8})-?\s*(\d{4,})", re.IGNORECASE)
_PROVISIONAL_RE = re.compile(r"TMP-?\s*([A-Z0-9]{8})", re.IGNORECASE)
_LAST4_RE = re.compile(r"^\D*(\d{4})\D*$")
RATEABLE = ("replied", "closed")


@dataclass(frozen=True)
class StatusConfig:
    """Chinese labels and line templates."""

    statuses: dict[str, str]
    actions: dict[str, str]
    lines: dict[str, str]
    rating_words: dict[str, int]
    rating_buttons: dict[int, str]
    skip_words: tuple[str, ...]


@cache
def load_status_config(path: Path = STATUS_FILE) -> StatusConfig:
    """Load config/appeal_status.yml."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return StatusConfig(
        statuses={str(k): str(v) for k, v in data["statuses"].items()},
        actions={str(k): str(v) for k, v in data["actions"].items()},
        lines={str(k): str(v) for k, v in data["lines"].items()},
        rating_words={str(k): int(v) for k, v in data["rating_words"].items()},
        rating_buttons={int(k): str(v) for k, v in data["rating_buttons"].items()},
        skip_words=tuple(map(str, data["skip_words"])),
    )


def find_reference(text: str) -> str | None:
    """Return a tracking number (JD-YYYYMMDD-NNNN) or provisional reference (TMP-…) in text."""
    plain = unicodedata.normalize("NFKC", text)
    found = _TRACKING_RE.search(plain)
    if found:
        return f"JD-{found.group(1)}-{found.group(2)}"
    provisional = _PROVISIONAL_RE.search(plain)
    if provisional:
        return f"TMP-{provisional.group(1).upper()}"
    return None


def read_last4(text: str) -> str | None:
    """Return the four digits of 「5678」/「尾号5678」, or None."""
    found = _LAST4_RE.match(unicodedata.normalize("NFKC", text).strip())
    return found.group(1) if found else None


def day_label(iso: str | None) -> str:
    """Return 「11月30日」 for an ISO timestamp already in Shanghai time ('' for none)."""
    if not iso:
        return ""
    day = load_status_config().lines["day"]
    return day.format(month=int(iso[5:7]), day=int(iso[8:10]))


def _moment(iso: str) -> str:
    return f"{day_label(iso)} {iso[11:16]}"


def status_text(view: dict[str, Any]) -> str:
    """Compose the progress message from the public status API's answer."""
    config = load_status_config()
    lines = config.lines
    status = str(view["status"])
    parts = [
        lines["header"].format(
            tracking_no=view["tracking_no"], status=config.statuses.get(status, status)
        )
        + (lines["supervised"] if view.get("supervised") else "")
    ]
    key = "department_confirmed" if view.get("department_confirmed") else "department_proposed"
    parts.append(lines[key].format(department=view["department"]))
    if status not in RATEABLE:
        parts.append(
            lines["due"].format(
                contact_due=day_label(view.get("contact_due_at")), due=day_label(view.get("due_at"))
            )
        )
    if view.get("reply"):
        parts.append(lines["reply"].format(reply=view["reply"]))
    if view.get("rating"):
        parts.append(lines["rated"].format(rating=view["rating"]))
    parts.append(lines["timeline"])
    for event in view.get("timeline") or []:
        action = config.actions.get(str(event["action"]), str(event["action"]))
        parts.append(lines["event"].format(at=_moment(str(event["at"])), action=action))
    return "\n".join(parts)


def wants_rating(view: dict[str, Any]) -> bool:
    """Tell whether to ask the enterprise to rate the reply."""
    return view.get("status") in RATEABLE and not view.get("rating")


@dataclass(frozen=True)
class Rating:
    """A rating read from the chat: score 1-5 (None when skipped or unclear) and comment."""

    score: int | None
    comment: str = ""
    skipped: bool = False


def read_rating(text: str) -> Rating:
    """Read 「5」「4分」「满意」「2 问题没解决」, or 「跳过」."""
    config = load_status_config()
    plain = unicodedata.normalize("NFKC", text).strip()
    if any(w in plain for w in config.skip_words):
        return Rating(None, skipped=True)
    digit = re.match(r"^([1-5])\s*分?[\s,，。:：]*(.*)$", plain, re.S)
    if digit:
        return Rating(int(digit.group(1)), digit.group(2).strip())
    for word in sorted(config.rating_words, key=len, reverse=True):
        if plain.startswith(word):
            rest = plain[len(word) :].lstrip(" ,，。:：")
            return Rating(config.rating_words[word], rest)
    return Rating(None)
