"""Validation and normalisation of the enterprise appeal form's fields."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from bot.appeals import fields
from bot.appeals.fields import (
    CONFIG_PATH,
    FieldConfigError,
    Problem,
    Valid,
    category,
    contact_name,
    credit_code,
    description,
    enterprise_name,
    load_field_config,
    parse_field_config,
    phone,
    town,
)
from bot.appeals.masking import mask_phone

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
    assert isinstance(result, Problem), result
    return result.code


def value(result: Valid | Problem) -> str:
    assert isinstance(result, Valid), result
    return result.value


def raw_config() -> dict[str, Any]:
    data = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --- configuration ---------------------------------------------------------------------------


def test_config_lists_the_towns_and_categories() -> None:
    config = load_field_config()
    assert config.towns == (
        "新成路街道",
        "真新街道",
        "嘉定镇街道",
        "南翔镇",
        "安亭镇",
        "马陆镇",
        "徐行镇",
        "华亭镇",
        "外冈镇",
        "江桥镇",
        "菊园新区",
        "嘉定工业区",
        "嘉定新城",
    )
    assert [c.code for c in config.categories] == [
        "tax",
        "talent",
        "hiring",
        "registration",
        "penalty",
        "ip",
        "construction",
        "environment",
        "customs",
        "science",
        "legal",
        "private_economy",
        "headquarters",
        "government_service",
        "financing",
        "other",
    ]
    assert config.category("tax").label == "税务"
    assert config.category("government_service").label == "政务服务与一网通办"
    with pytest.raises(KeyError):
        config.category("nope")


def test_config_is_read_once() -> None:
    assert load_field_config() is load_field_config()


@pytest.mark.parametrize("name", sorted(fields.PROBLEMS))
def test_every_example_is_a_valid_value(name: str) -> None:
    example = load_field_config().fields[name].example
    assert isinstance(fields.VALIDATORS[name](example), Valid)


def test_example_credit_code_passes_stdnum() -> None:
    example = load_field_config().fields["credit_code"].example
    assert uscc.validate(example) == example
    assert example[2:8] == "310114"  # 嘉定区


def test_landline_example_in_phone_messages_is_valid() -> None:
    for message in load_field_config().fields["phone"].problems.values():
        for landline in re.findall(r"021-\d{8}", message):
            assert value(phone(landline)) == "+86" + landline[1:].replace("-", "")


def test_every_problem_code_has_a_message() -> None:
    config = load_field_config()
    for name, codes in fields.PROBLEMS.items():
        assert set(config.fields[name].problems) == set(codes)


def test_config_rejects_a_missing_problem_code(tmp_path: Path) -> None:
    data = raw_config()
    del data["fields"]["credit_code"]["problems"]["uscc_check"]
    with pytest.raises(FieldConfigError, match="uscc_check"):
        parse_field_config(data, tmp_path / "appeal_fields.yml")


def test_config_rejects_an_unknown_placeholder(tmp_path: Path) -> None:
    data = raw_config()
    data["fields"]["phone"]["problems"]["phone_kind"] = "不支持{country}，例如：{example}"
    with pytest.raises(FieldConfigError, match="country"):
        parse_field_config(data, tmp_path / "appeal_fields.yml")


def test_config_rejects_a_message_without_a_valid_value(tmp_path: Path) -> None:
    data = raw_config()
    data["fields"]["phone"]["problems"]["phone_kind"] = "不支持这种号码。"
    with pytest.raises(FieldConfigError, match="valid value"):
        parse_field_config(data, tmp_path / "appeal_fields.yml")


def test_config_rejects_an_alias_of_an_unknown_town(tmp_path: Path) -> None:
    data = copy.deepcopy(raw_config())
    data["town_aliases"]["浦东"] = "浦东新区"
    with pytest.raises(FieldConfigError, match="浦东"):
        parse_field_config(data, tmp_path / "appeal_fields.yml")


def test_config_rejects_repeated_category_codes(tmp_path: Path) -> None:
    data = raw_config()
    data["categories"].append({"code": "tax", "label": "税务二"})
    with pytest.raises(FieldConfigError, match="repeated"):
        parse_field_config(data, tmp_path / "appeal_fields.yml")


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


# --- unified social credit code --------------------------------------------------------------

GOOD_CODE = "91310114MA1GY5BM3N"


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


def test_credit_code_messages_say_what_is_wrong() -> None:
    short = credit_code(GOOD_CODE[:-1])
    assert isinstance(short, Problem)
    assert short.message.startswith("统一社会信用代码应为18位，您输入了17位。")
    assert GOOD_CODE in short.message
    letter_o = credit_code("91310114MA1GO5BM3N")
    assert isinstance(letter_o, Problem)
    assert "第13位的「O」" in letter_o.message


def usccs() -> st.SearchStrategy[str]:
    """Valid codes: 8 digits, 9 characters of the alphabet, and the computed check character."""
    body = st.tuples(
        st.text("0123456789", min_size=8, max_size=8),
        st.text(USCC_ALPHABET, min_size=9, max_size=9),
    ).map("".join)
    return body.map(lambda b: b + uscc.calc_check_digit(b))


@given(code=usccs(), style=st.sampled_from(["plain", "lower", "full", "spaced", "dashed"]))
def test_credit_code_with_a_correct_check_character_passes(code: str, style: str) -> None:
    typed = {
        "plain": code,
        "lower": code.lower(),
        "full": code.translate(FULL_WIDTH),
        "spaced": " ".join(code[i : i + 4] for i in range(0, 18, 4)),
        "dashed": f"{code[:8]}-{code[8:17]}-{code[17]}",
    }[style]
    assert value(credit_code(typed)) == code


@given(code=usccs(), data=st.data())
def test_changing_one_character_breaks_the_check(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, 17))
    allowed = "0123456789" if position < 8 else USCC_ALPHABET
    other = data.draw(st.sampled_from([c for c in allowed if c != code[position]]))
    changed = code[:position] + other + code[position + 1 :]
    assert problem_code(credit_code(changed)) == "uscc_check"


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


def mobiles() -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(MOBILE_PREFIXES), st.text("0123456789", min_size=8, max_size=8)
    ).map("".join)


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


# --- town ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", load_field_config().towns)
def test_town_button_labels_are_accepted_exactly(name: str) -> None:
    assert value(town(name)) == name


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


def test_town_messages_list_the_choices() -> None:
    ambiguous = town("嘉定")
    assert isinstance(ambiguous, Problem)
    assert "嘉定镇街道、嘉定工业区、嘉定新城" in ambiguous.message
    unknown = town("浦东")
    assert isinstance(unknown, Problem)
    assert all(name in unknown.message for name in load_field_config().towns)


def test_every_alias_leads_to_its_town() -> None:
    config = load_field_config()
    for alias, name in config.town_aliases.items():
        assert value(town(alias)) == name


# --- category --------------------------------------------------------------------------------


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


def test_every_category_by_label_code_and_number() -> None:
    for number, item in enumerate(load_field_config().categories, start=1):
        assert value(category(item.label)) == item.code
        assert value(category(item.code)) == item.code
        assert value(category(str(number))) == item.code


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


def test_category_messages_list_the_options() -> None:
    result = category("17")
    assert isinstance(result, Problem)
    assert "序号应在1到16之间，您输入了17" in result.message
    assert "\n1. 税务\n" in result.message
    assert result.message.endswith("16. 其他")


# --- description -----------------------------------------------------------------------------


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


def test_description_counts_content_not_punctuation() -> None:
    result = description("有问题，，，，，，，，，，？？")
    assert isinstance(result, Problem)
    assert "有效内容3个字" in result.message
