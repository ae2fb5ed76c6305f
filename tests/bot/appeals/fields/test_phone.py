"""The contact phone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.appeals.fields import (
    Problem,
    phone,
)
from bot.appeals.masking import mask_phone
from tests.bot.appeals.fields.support import (
    FULL_WIDTH,
    mobiles,
    value,
)

# --- phone -----------------------------------------------------------------------------------


def test_phone_length_message_counts_the_digits() -> None:
    result = phone("021-6234567")
    assert isinstance(result, Problem)
    assert "您输入的是7位" in result.message
    assert "13812345678" in result.message


@settings(deadline=None)
@given(
    number=mobiles(),
    style=st.sampled_from(["plain", "+86", "86", "spaced", "dashed", "full", "paren"]),
)
def test_every_valid_mobile_passes_and_masks_to_3_and_4_digits(number: str, style: str) -> None:
    typed = {
        "plain": number,
        "+86": f"+86 {number}",
        "86": f"86{number}",
        "spaced": f"{number[:3]} {number[3:7]} {number[7:]}",
        "dashed": f"{number[:3]}-{number[3:7]}-{number[7:]}",
        "full": f"+86{number}".translate(FULL_WIDTH),
        "paren": f"(+86){number}",
    }[style]
    e164 = value(phone(typed))
    assert e164 == "+86" + number
    assert mask_phone(e164) == f"{number[:3]}****{number[7:]}"
