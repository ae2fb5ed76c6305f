"""When a measure applies: ongoing, one of the 2020 epidemic measures, or a target for a year.

The source is a 2020 document. Some of its measures answered the 2020 epidemic and some set
targets for the end of 2020; read in a later year as if they applied today, they mislead. Each
entry says which kind it is (`period` in policies_kb/README.md), so answers, the policy finder
and the validator can treat past measures as past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

ONGOING = "ongoing"
EPIDEMIC_2020 = "epidemic-2020"
TARGET = "target"
KINDS = (ONGOING, EPIDEMIC_2020, TARGET)
EPIDEMIC_YEAR = 2020

# Wording that offers a benefit as available now; an entry of a past period must not use it
# ("2020年疫情期间，区里对…" instead).
_PRESENT_ENTITLEMENT_RE = re.compile(r"(?:可以|可|能够|能)(?:享受|获得|申请|申领|领取)")


class Tense(Enum):
    """Whether a measure still belongs to the present."""

    CURRENT = "current"
    PAST = "past"


@dataclass(frozen=True)
class Period:
    """When an entry's measure applies (`label`: the period in words, e.g. 2020年春节期间)."""

    kind: str = ONGOING
    year: int | None = None
    label: str = ""

    def tense(self, today: date) -> Tense:
        """PAST for the 2020 epidemic measures and for targets of a year that has ended."""
        if self.kind == EPIDEMIC_2020:
            return Tense.PAST
        if self.kind == TARGET and self.year is not None and self.year < today.year:
            return Tense.PAST
        return Tense.CURRENT

    def is_past(self, today: date | None = None) -> bool:
        """Tell whether the measure's period is over (today by default)."""
        return self.tense(today or date.today()) is Tense.PAST


def parse_period(raw: Any) -> Period:
    """Read an entry's `period` mapping; raise ValueError with what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError(
            "period must be a mapping such as {kind: ongoing} or "
            "{kind: epidemic-2020, label: 2020年疫情期间}"
        )
    unknown = sorted(set(raw) - {"kind", "year", "label"})
    if unknown:
        raise ValueError(f"period: unknown key(s) {', '.join(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"period.kind must be one of {', '.join(KINDS)}, not {kind!r}")
    label = raw.get("label", "")
    year = raw.get("year")
    if not isinstance(label, str):
        raise ValueError("period.label must be text")
    if kind == ONGOING:
        if label or year is not None:
            raise ValueError("an ongoing measure has no period.label or period.year")
        return Period()
    if not label:
        raise ValueError(f"a measure of kind {kind} needs period.label (the period in words)")
    if kind == EPIDEMIC_2020:
        if year not in (None, EPIDEMIC_YEAR):
            raise ValueError(f"an epidemic-2020 measure has year {EPIDEMIC_YEAR} or none")
        if str(EPIDEMIC_YEAR) not in label:
            raise ValueError(f"period.label of an epidemic-2020 measure names {EPIDEMIC_YEAR}")
        return Period(kind, EPIDEMIC_YEAR, label)
    if not isinstance(year, int) or isinstance(year, bool):
        raise ValueError("a target needs period.year, the year it was set for")
    if str(year) not in label:
        raise ValueError(f"period.label of a target for {year} names the year")
    return Period(kind, year, label)


def present_entitlements(text: str) -> list[str]:
    """Return the phrases of `text` that offer a benefit as available now (可以享受, 可申请)."""
    return [m.group(0) for m in _PRESENT_ENTITLEMENT_RE.finditer(text)]
