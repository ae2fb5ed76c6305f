from __future__ import annotations

from bot.kb.numbers import stated_numbers, unsupported_numbers


def test_finds_arabic_numbers_and_chinese_counts() -> None:
    text = "设立1000 万元资金，提供八大类21项服务，材料精简一半以上、时间节约三分之一以上"
    assert stated_numbers(text) == ["1000", "21", "八大类", "一半", "三分之一"]


def test_idioms_are_not_quantities() -> None:
    assert stated_numbers("一网通办、一窗受理、一站式服务、不搞一刀切") == []


def test_unsupported_numbers_against_a_source() -> None:
    source = "设立1000万元资金，用好105个指标"
    assert unsupported_numbers("设立1000万元资金", source) == []
    assert unsupported_numbers("设立2000万元资金，三个指标", source) == ["2000", "三个"]


def test_a_number_inside_another_is_not_support() -> None:
    assert unsupported_numbers("有20个", "2020年") == ["20"]
