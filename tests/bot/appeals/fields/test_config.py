"""The field config file: checked on load, every example valid, every code explained."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from stdnum.cn import uscc

from bot.appeals import fields
from bot.appeals.fields import (
    FieldConfigError,
    Valid,
    load_field_config,
    parse_field_config,
    phone,
)
from tests.bot.appeals.fields.support import (
    raw_config,
    value,
)

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
