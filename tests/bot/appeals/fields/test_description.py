"""The description."""

from __future__ import annotations

import pytest

from bot.appeals.fields import (
    Problem,
    description,
)
from tests.bot.appeals.fields.support import (
    problem_code,
    value,
)

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
