"""Helpers shared by the field validator tests."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

from bot.appeals.fields import CONFIG_PATH, Problem, Valid

# GB 32100-2015: digits and upper-case letters without I, O, Z, S, V; the first 8 are digits.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
# Common mainland mobile prefixes (China Mobile, Unicom, Telecom), independent of phonenumbers.
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    *("150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("166", "173", "175", "176", "177", "178"),
    *(f"18{d}" for d in range(10)),
    *("191", "193", "195", "196", "197", "198", "199"),
]


def problem_code(result: Valid | Problem) -> str:
    """Return the problem code of ``result`` (which must be a Problem)."""
    assert isinstance(result, Problem), result
    return result.code


def value(result: Valid | Problem) -> str:
    """Return the value of ``result`` (which must be Valid)."""
    assert isinstance(result, Valid), result
    return result.value


def raw_config() -> dict[str, Any]:
    """Return config/appeal_fields.yml as read from the file."""
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def mobiles() -> st.SearchStrategy[str]:
    """Draw mainland mobile numbers (11 digits, a common prefix)."""
    return st.tuples(
        st.sampled_from(MOBILE_PREFIXES), st.text("0123456789", min_size=8, max_size=8)
    ).map("".join)
