"""The unified social credit code."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from bot.appeals.fields import (
    Problem,
    credit_code,
)
from tests.bot.appeals.fields.support import (
    FULL_WIDTH,
    USCC_ALPHABET,
    problem_code,
    value,
)

# --- unified social credit code --------------------------------------------------------------

GOOD_CODE = "91310114MA1GY5BM3N"


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
