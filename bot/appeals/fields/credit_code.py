"""The unified social credit code (统一社会信用代码), checked with python-stdnum (GB 32100-2015)."""

from __future__ import annotations

import unicodedata

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from bot.appeals.fields.config import FieldResult, Valid, problem
from bot.appeals.fields.text import nfkc

USCC_LENGTH = 18

# Letters GB 32100-2015 leaves out of the code (only used to point at the wrong character;
# whether a code is valid is decided by stdnum).
_USCC_UNUSED_LETTERS = frozenset("IOZSV")


def _uscc_wrong_characters(code: str) -> str:
    wrong = [
        f"第{i + 1}位的「{ch}」"
        for i, ch in enumerate(code)
        if not (ch.isascii() and ch.isalnum())
        or (i < 8 and not ch.isdigit())
        or ch in _USCC_UNUSED_LETTERS
    ]
    if not wrong:
        return "有字符"
    return "、".join(wrong[:3]) + ("等" if len(wrong) > 3 else "")


def credit_code(text: str) -> FieldResult:
    """Return the unified social credit code in upper case without separators."""
    field = "credit_code"
    half_width = "".join(nfkc(text).split())
    # Any kind of dash is a separator (stdnum's compact() handles spaces and "-").
    code = uscc.compact("".join("-" if unicodedata.category(c) == "Pd" else c for c in half_width))
    if not code:
        return problem(field, "uscc_empty")
    if not all(ch.isascii() and ch.isalnum() for ch in code):
        # Checked before the length: "您输入了19位" would mislead when a word slipped in.
        return problem(field, "uscc_chars", details=_uscc_wrong_characters(code))
    try:
        return Valid(uscc.validate(code))
    except InvalidLength:
        return problem(field, "uscc_length", length=len(code))
    except InvalidFormat:
        return problem(field, "uscc_chars", details=_uscc_wrong_characters(code))
    except InvalidChecksum:
        return problem(field, "uscc_check")
