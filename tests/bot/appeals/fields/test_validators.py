"""Every field's validator on a table of good values and of values with each problem.

The tables are kept together, in the order of the declaration (bot.appeals.fields.FIELDS);
the tests of one validator's messages and properties are in the file named after its module.
"""

from __future__ import annotations

import pytest

from bot.appeals.fields import (
    category,
    contact_name,
    credit_code,
    description,
    enterprise_name,
    phone,
    town,
)
from tests.bot.appeals.fields.support import FULL_WIDTH, problem_code, value

GOOD_CODE = "91310114MA1GY5BM3N"


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


@pytest.mark.parametrize(
    "text",
    [
        GOOD_CODE,
        GOOD_CODE.lower(),
        GOOD_CODE.translate(FULL_WIDTH),
        "９１３１０１１４ｍａ１ｇｙ５ｂｍ３ｎ",
        "9131 0114 MA1G Y5BM 3N",
        "91310114-MA1GY5BM3-N",
        "91310114—MA1GY5BM3N",
        f"  {GOOD_CODE}\u3000",
    ],
)
def test_credit_code_good(text: str) -> None:
    assert value(credit_code(text)) == GOOD_CODE


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "uscc_empty"),
        (" - ", "uscc_empty"),
        (GOOD_CODE[:-1], "uscc_length"),
        (GOOD_CODE + "1", "uscc_length"),
        ("913101", "uscc_length"),
        ("91310114MA1GO5BM3N", "uscc_chars"),  # letter O where a 0 was meant
        ("91310114MA1GI5BM3N", "uscc_chars"),
        ("91310114MA1GZ5BM3N", "uscc_chars"),
        ("91310114MA1GS5BM3N", "uscc_chars"),
        ("91310114MA1GV5BM3N", "uscc_chars"),
        ("9131A114MA1GY5BM3N", "uscc_chars"),  # the first 8 are digits
        ("91310114MA1GY5BM3N号", "uscc_chars"),  # not "19位"
        ("91310114MA1GY5BM3#", "uscc_chars"),
        ("91310114MA1GY5BM3X", "uscc_check"),
        ("91310114MA1GY5BM4N", "uscc_check"),
    ],
)
def test_credit_code_problems(text: str, code: str) -> None:
    assert problem_code(credit_code(text)) == code


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("南翔", "南翔镇"),
        ("安亭镇", "安亭镇"),
        ("工业区", "嘉定工业区"),
        ("新城", "嘉定新城"),
        ("菊园", "菊园新区"),
        ("真新", "真新街道"),
        ("新成路", "新成路街道"),
        ("嘉定镇", "嘉定镇街道"),
        (" 马陆 ", "马陆镇"),
        ("江桥。", "江桥镇"),
        ("上海市嘉定区外冈镇", "外冈镇"),
        ("嘉定区徐行", "徐行镇"),
        ("南翔镇人民街", "南翔镇"),
        ("新成路街道办事处", "新成路街道"),
    ],
)
def test_town_short_forms(text: str, expected: str) -> None:
    assert value(town(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "town_empty"),
        ("嘉定", "town_ambiguous"),
        ("街道", "town_ambiguous"),
        ("南翔或者江桥", "town_ambiguous"),
        ("浦东新区", "town_unknown"),
        ("嘉定区", "town_unknown"),
        ("翔", "town_unknown"),
    ],
)
def test_town_problems(text: str, code: str) -> None:
    assert problem_code(town(text)) == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("税务", "tax"),
        ("政务服务与一网通办", "government_service"),
        ("tax", "tax"),
        ("TAX", "tax"),
        ("private_economy", "private_economy"),
        ("Private-Economy", "private_economy"),
        ("1", "tax"),
        ("３", "hiring"),
        ("16", "other"),
        ("第5项", "penalty"),
        ("14.", "government_service"),
        ("社保", "hiring"),
        ("知识产权问题", "ip"),
    ],
)
def test_category_good(text: str, expected: str) -> None:
    assert value(category(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "category_empty"),
        ("0", "category_number"),
        ("17", "category_number"),
        ("服务", "category_ambiguous"),
        ("税务和人才服务", "category_ambiguous"),
        ("买房", "category_unknown"),
        ("税", "category_unknown"),
    ],
)
def test_category_problems(text: str, code: str) -> None:
    assert problem_code(category(text)) == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我司想咨询高新技术企业认定的条件。", "我司想咨询高新技术企业认定的条件。"),
        ("  第一行说明情况\r\n第二行提出请求  ", "第一行说明情况\n第二行提出请求"),
        ("ABCDEFGHIJ", "ABCDEFGHIJ"),
        ("字" * 1000, "字" * 1000),
    ],
)
def test_description_good(text: str, expected: str) -> None:
    assert value(description(text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "description_empty"),
        (" \n ", "description_empty"),
        ("太短了", "description_too_short"),
        ("有问题！！！！！！！！！！！！！", "description_too_short"),
        ("字" * 1001, "description_too_long"),
    ],
)
def test_description_problems(text: str, code: str) -> None:
    assert problem_code(description(text)) == code
