from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.input_guard import MAX_MESSAGE_CHARS, InputProblem, assess


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, InputProblem.EMPTY),
        ("", InputProblem.EMPTY),
        ("   \n\t ", InputProblem.EMPTY),
        ("长" * (MAX_MESSAGE_CHARS + 1), InputProblem.TOO_LONG),
        ("<script>alert(1)</script>", InputProblem.MARKUP),
        ("怎么注销公司<img src=x onerror=alert(1)>", InputProblem.MARKUP),
        ("</b>", InputProblem.MARKUP),
        ("😀😀😀", InputProblem.NO_WORDS),
        ("？？？！！", InputProblem.NO_WORDS),
        ("👍", InputProblem.NO_WORDS),
        ("How can I apply for tax relief?", InputProblem.NOT_CHINESE),
        ("what is this bot", InputProblem.NOT_CHINESE),
    ],
)
def test_unusable_input_is_recognised(text: str | None, problem: InputProblem) -> None:
    assert assess(text) is problem


@pytest.mark.parametrize(
    "text",
    [
        "你好",
        "hi",
        "hello",
        "ok",
        "thx",
        "JD-20261127-0042",
        "13812345678",
        "怎么申请 talent card 啊",
        "a < b 的时候怎么办",
        "长" * MAX_MESSAGE_CHARS,
        "好的👍",
    ],
)
def test_usable_input_goes_to_the_classifier(text: str) -> None:
    assert assess(text) is None


@given(st.text(max_size=2 * MAX_MESSAGE_CHARS))
def test_assess_never_raises(text: str) -> None:
    result = assess(text)
    assert result is None or isinstance(result, InputProblem)
    if not text.strip():
        assert result is InputProblem.EMPTY
