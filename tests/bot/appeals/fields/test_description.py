"""The description."""

from __future__ import annotations

from bot.appeals.fields import (
    Problem,
    description,
)

# --- description -----------------------------------------------------------------------------


def test_description_counts_content_not_punctuation() -> None:
    result = description("有问题，，，，，，，，，，？？")
    assert isinstance(result, Problem)
    assert "有效内容3个字" in result.message
