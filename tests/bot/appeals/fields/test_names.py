"""The enterprise name and the contact name."""

from __future__ import annotations

import pytest

from bot.appeals.fields import (
    Problem,
    enterprise_name,
)

# --- enterprise name -------------------------------------------------------------------------


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
