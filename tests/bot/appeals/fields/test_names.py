"""The enterprise name and the contact name."""

from __future__ import annotations

import pytest

from bot.appeals.fields import (
    Problem,
    contact_name,
    enterprise_name,
)
from tests.bot.appeals.fields.support import (
    problem_code,
    value,
)

# --- enterprise name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上海嘉定示例智能科技有限公司", "上海嘉定示例智能科技有限公司"),
        ("  上海示例物流有限公司\n", "上海示例物流有限公司"),
        ("上海示例 (嘉定) 贸易有限公司", "上海示例（嘉定）贸易有限公司"),
        ("上海示例（嘉定）贸易有限公司", "上海示例（嘉定）贸易有限公司"),
        ("ＡＢＣ  Trading Co., Ltd.", "ABC Trading Co., Ltd."),
        ("3M中国有限公司", "3M中国有限公司"),
        ("示例", "示例"),
    ],
)
def test_enterprise_name_good(text: str, expected: str) -> None:
    assert value(enterprise_name(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "name_empty"),
        ("   ", "name_empty"),
        ("某", "name_too_short"),
        ("上海示例" * 16, "name_too_long"),
        ("123456", "name_not_a_name"),
        ("！！？？", "name_not_a_name"),
        ("8号-3", "name_not_a_name"),
        ("91310114MA1GY5BM3N", "name_is_credit_code"),
        ("9131 0114 ma1g y5bm 3n", "name_is_credit_code"),
        # shaped like a code, whatever its check character: a mistyped code is not a name
        ("91310114MA1GY5BM3X", "name_is_credit_code"),
        ("9131O114MA1GY5BM3N", "name_is_credit_code"),
        ("91310114MA1GY5BM3", "name_is_credit_code"),
        ("91310114-MA1GY5BM3-X", "name_is_credit_code"),
        ("13812345678", "name_is_phone"),
        ("138 1234 5678", "name_is_phone"),
        ("+86 138-1234-5678", "name_is_phone"),
        ("021-59991234", "name_is_phone"),
        ("(021) 5999 1234", "name_is_phone"),
        ("嘉定想把营商环境做到啥水平，有个说法没", "name_is_question"),
        ("你们能帮忙协调一下吗", "name_is_question"),
        ("这个怎么填？", "name_is_question"),
    ],
)
def test_enterprise_name_problems(text: str, code: str) -> None:
    assert problem_code(enterprise_name(text)) == code


@pytest.mark.parametrize("text", ["91310114MA1GY5BM3X", "13812345678", "12345678", "某"])
def test_enterprise_name_refusals_explain_with_an_example(text: str) -> None:
    result = enterprise_name(text)
    assert isinstance(result, Problem)
    assert "上海嘉定示例智能科技有限公司" in result.message


def test_enterprise_name_message_is_specific() -> None:
    result = enterprise_name("上海示例" * 16)
    assert isinstance(result, Problem)
    assert "最多60个字，您输入了64个字" in result.message
    assert "上海嘉定示例智能科技有限公司" in result.message


# --- contact name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王晓明", "王晓明"),
        (" 王 晓明 ", "王晓明"),
        ("李", "李"),
        ("张先生", "张先生"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("John  Smith", "John Smith"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith"),
        ("Zoë", "Zoë"),
        ("王" * 20, "王" * 20),
    ],
)
def test_contact_name_good(text: str, expected: str) -> None:
    assert value(contact_name(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "contact_empty"),
        ("\u3000", "contact_empty"),
        ("王" * 21, "contact_too_long"),
        ("张三13812345678", "contact_chars"),
        ("张三,李四", "contact_chars"),
        ("王经理（销售）", "contact_chars"),
        ("Иван", "contact_chars"),
        ("·艾力", "contact_dot"),
        ("艾力·", "contact_dot"),
        ("买买提··艾力", "contact_dot"),
        ("·", "contact_dot"),
    ],
)
def test_contact_name_problems(text: str, code: str) -> None:
    assert problem_code(contact_name(text)) == code
