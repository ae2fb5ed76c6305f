"""The contact phone."""

from __future__ import annotations

import pytest
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
    problem_code,
    value,
)

# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+86-13812345678", "+8613812345678"),
        ("(+86) 138 1234 5678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("＋８６ １３８－１２３４－５６７８", "+8613812345678"),
        ("19912345678", "+8619912345678"),
        ("021-62345678", "+862162345678"),
        ("021 6234 5678", "+862162345678"),
        ("(021)62345678", "+862162345678"),
        ("（０２１）６２３４５６７８", "+862162345678"),
        ("+86 21 6234 5678", "+862162345678"),
        ("86-21-62345678", "+862162345678"),
        ("62345678", "+862162345678"),
        ("6234-5678", "+862162345678"),
        ("５９９１ ２３４５", "+862159912345"),
    ],
)
def test_phone_good(text: str, expected: str) -> None:
    assert value(phone(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "phone_empty"),
        ("  ", "phone_empty"),
        ("abc", "phone_not_number"),
        ("手机13812345678", "phone_not_number"),
        ("1380013800A", "phone_not_number"),
        ("021-62345678转801", "phone_not_number"),
        ("---", "phone_not_number"),
        ("1381234567", "phone_length"),
        ("138123456789", "phone_length"),
        ("+86 1381234567", "phone_length"),
        ("13812345", "phone_length"),
        ("021-6234567", "phone_length"),
        ("021-623456789", "phone_length"),
        ("6234567", "phone_length"),
        ("1", "phone_length"),
        ("010-62345678", "phone_kind"),  # Beijing
        ("0512-65123456", "phone_kind"),  # Suzhou
        ("+1 650 253 0000", "phone_kind"),
        ("+852 2123 4567", "phone_kind"),
        ("+999 1234 5678", "phone_kind"),
        ("14012345678", "phone_invalid"),
    ],
)
def test_phone_problems(text: str, code: str) -> None:
    assert problem_code(phone(text)) == code


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
