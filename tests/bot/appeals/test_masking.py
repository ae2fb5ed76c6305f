"""Masking of phone numbers and resident ID numbers, alone and inside free text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from bot.appeals.masking import (
    is_id_number,
    mask_id_number,
    mask_numbers,
    mask_phone,
    mask_text,
    phone_last4,
)
from tests.bot.appeals.fields.support import FULL_WIDTH, mobiles

# A made-up resident ID number of someone born in 嘉定区 in 1995, with a correct check digit.
ID_NUMBER = "310114199501011232"
CREDIT_CODE = "91310114MA1GY5BM3N"
TRACKING_NO = "JD-20261127-0042"


def test_example_id_number_is_valid() -> None:
    assert ric.is_valid(ID_NUMBER)
    assert is_id_number(ID_NUMBER)


# Province 11 and prefecture 1102 exist in python-stdnum's table, county 110291 does not:
# python-stdnum 2.2 raises KeyError on it instead of answering False (found by Hypothesis).
NO_COUNTY = "110291702009280787"


def test_a_number_stdnum_cannot_place_is_no_id_number_and_crashes_nothing() -> None:
    assert not is_id_number(NO_COUNTY)
    assert mask_text(f"请联系，编号{NO_COUNTY}。") == f"请联系，编号{NO_COUNTY}。"


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+8613812345678", "138****5678"),
        ("+8619912340000", "199****0000"),
        ("+862162345678", "021****5678"),
        ("+861062345678", "010****5678"),
        ("+8651265123456", "0512****3456"),
        ("+16502530000", "+1 ****0000"),
    ],
)
def test_mask_phone(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


@pytest.mark.parametrize("bad", ["", "13812345678", "not a number", "+86"])
def test_mask_phone_refuses_what_is_not_e164(bad: str) -> None:
    with pytest.raises(ValueError):
        mask_phone(bad)


def test_phone_last4() -> None:
    assert phone_last4("+8613812345678") == "5678"
    assert phone_last4("+862162340042") == "0042"
    with pytest.raises(ValueError):
        phone_last4("5678")


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("310114199501011232", "310114********1232"),
        ("11010519491231002x", "110105********002X"),
        ("310114 19950101 1232", "310114********1232"),
        ("３１０１１４１９９５０１０１１２３２", "310114********1232"),
        ("310114199501011233", "310114********1233"),  # wrong check digit: still masked
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    "bad", ["", "31011419950101123", "3101141995010112321", "31011419950101123A"]
)
def test_mask_id_number_refuses_other_shapes(bad: str) -> None:
    with pytest.raises(ValueError):
        mask_id_number(bad)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("手机13812345678，请回电", "手机138****5678，请回电"),
        ("手机 +86 138 1234 5678。", "手机 138****5678。"),
        ("手机+86-138-1234-5678", "手机138****5678"),
        ("(+86)13812345678", "138****5678"),
        ("8613812345678", "138****5678"),
        ("0086 13812345678", "138****5678"),
        ("手机：１３８１２３４５６７８", "手机：138****5678"),
        ("phone=13812345678&x=1", "phone=138****5678&x=1"),
        ("座机021-62345678转801", "座机021****5678转801"),
        ("座机(021)6234 5678", "座机021****5678"),
        ("座机（０２１）６２３４５６７８", "座机021****5678"),
        ("+86 21 6234 5678", "021****5678"),
        ("联系电话：62345678", "联系电话：****5678"),
        ("电话13812345678", "电话138****5678"),
        ("联系方式:138 1234 5678/021 6234 5678", "联系方式:138****5678/021****5678"),
        ("Tel 6234-5678", "Tel ****5678"),
        (f"身份证号{ID_NUMBER}。", "身份证号310114********1232。"),
        ("身份证11010519491231002X", "身份证110105********002X"),
        (
            "张三13812345678、李四13912345678",
            "张三138****5678、李四139****5678",
        ),
    ],
)
def test_mask_text_masks(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        f"统一社会信用代码{CREDIT_CODE}",
        "统一社会信用代码913101146072123450",  # all digits, 18 long, not an ID number
        f"诉求编号{TRACKING_NO}已受理",
        "诉求编号 JD-20261327-1388 已受理",
        "订单号12345678901234567890",  # a longer digit run is not a phone number
        "2026年11月27日 13:45 来电",
        "ts=1764251234567 took=13ms",  # a millisecond timestamp is a longer digit run
        "共计62345678元",  # 8 digits without a word for phone
        "310114199501011233",  # wrong check digit: not an ID number, left alone
        "已脱敏：138****5678、021****5678、310114********1232",
    ],
)
def test_mask_text_leaves_alone(text: str) -> None:
    assert mask_text(text) == text


def test_mask_text_log_line() -> None:
    line = (
        f"appeal {TRACKING_NO} filed: enterprise={CREDIT_CODE} contact=王晓明 "
        f"phone=+8613812345678 landline=021-62345678 id={ID_NUMBER}"
    )
    assert mask_text(line) == (
        f"appeal {TRACKING_NO} filed: enterprise={CREDIT_CODE} contact=王晓明 "
        "phone=138****5678 landline=021****5678 id=310114********1232"
    )


# --- properties ------------------------------------------------------------------------------

CJK = "我司在南翔镇的厂房需要办理施工许可请联系负责人电话号码谢谢王先生手机"
PUNCTUATION = "，。：；！？、（）“”"
sentence_filler = st.text(CJK + PUNCTUATION + " abcXYZ", min_size=1, max_size=12).filter(
    lambda s: any(ch in CJK for ch in s)
)


def written(number: str, style: str) -> str:
    return {
        "plain": number,
        "+86": f"+86 {number}",
        "+86-": f"+86-{number}",
        "86": f"86{number}",
        "paren": f"(+86){number}",
        "spaced": f"{number[:3]} {number[3:7]} {number[7:]}",
        "dashed": f"{number[:3]}-{number[3:7]}-{number[7:]}",
        "full": number.translate(FULL_WIDTH),
    }[style]


STYLES = ["plain", "+86", "+86-", "86", "paren", "spaced", "dashed", "full"]


@st.composite
def sentences_with_mobiles(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A Chinese text with mobiles embedded between fillers, and the numbers it holds."""
    numbers = draw(st.lists(mobiles(), min_size=1, max_size=4))
    parts = [draw(sentence_filler)]
    for number in numbers:
        parts += [written(number, draw(st.sampled_from(STYLES))), draw(sentence_filler)]
    return "".join(parts), numbers


@settings(deadline=None)
@given(sample=sentences_with_mobiles())
def test_mask_text_leaves_no_mobile_number(sample: tuple[str, list[str]]) -> None:
    text, numbers = sample
    masked = mask_text(text)
    assert not re.search(r"\d{11}", masked)
    # Not even with separators: no 8 digits in a row once spaces and dashes are dropped.
    assert not re.search(r"\d{8}", re.sub(r"[ \-]", "", masked))
    for number in numbers:
        assert f"{number[:3]}****{number[7:]}" in masked


mixed_text = st.lists(
    st.one_of(
        mobiles(),
        st.sampled_from([ID_NUMBER, CREDIT_CODE, TRACKING_NO, "021-62345678", "电话", "+86"]),
        st.text("0123456789 -+*()Xx：电话号码手机", max_size=20),
        st.text(CJK + PUNCTUATION, max_size=10),
    ),
    max_size=8,
).map("".join)


@settings(deadline=None)
@given(text=mixed_text)
def test_mask_text_is_idempotent(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once


def test_mask_numbers_hides_every_long_digit_run() -> None:
    phone = "13912345678"
    assert mask_numbers(f"call {phone} or 139-1234-5678") == "call *** or ***"
    assert mask_numbers("HTTP 500 at port 8000") == "HTTP 500 at port 8000"
