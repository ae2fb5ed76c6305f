"""The enterprise's name and the contact person's name."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException
from stdnum.cn import uscc

from bot.appeals.fields.config import FieldResult, Valid, problem
from bot.appeals.fields.text import is_cjk, is_latin, join_words, nfkc

NAME_MIN = 2
NAME_MAX = 60
NAME_MIN_LETTERS = 2
CONTACT_MAX = 20


def enterprise_name(text: str) -> FieldResult:
    """Return the enterprise name, trimmed, with full-width brackets as on a business licence."""
    field = "enterprise_name"
    name = join_words(nfkc(text)).replace("(", "（").replace(")", "）")
    if not name:
        return problem(field, "name_empty")
    if len(name) < NAME_MIN:
        return problem(field, "name_too_short", length=len(name), min=NAME_MIN)
    if len(name) > NAME_MAX:
        return problem(field, "name_too_long", length=len(name), max=NAME_MAX)
    if _looks_like_credit_code(name):
        return problem(field, "name_is_credit_code")
    if _looks_like_phone(name):
        return problem(field, "name_is_phone")
    if sum(ch.isalpha() for ch in name) < NAME_MIN_LETTERS:
        return problem(field, "name_not_a_name", min_letters=NAME_MIN_LETTERS)
    if _QUESTION_END.search(name):
        # A question the classifier did not catch (it would become the appeal's name).
        return problem(field, "name_is_question")
    return Valid(name)


# A unified social credit code as typed: 18 characters (one more or fewer when mistyped) of
# digits and Latin letters, mostly digits (positions 3-8 are the region code). Its check
# character is not looked at: a mistyped code is still not a name.
_CODE_SHAPE = re.compile(r"[0-9A-Za-z]{17,19}")
_CODE_MIN_DIGITS = 6
_SEPARATORS = re.compile(r"[\s\-–—_·.]")
_PHONE_SHAPE = re.compile(r"[+\d\s\-()（）]{7,}")


def _looks_like_credit_code(name: str) -> bool:
    compact = _SEPARATORS.sub("", name)
    if uscc.is_valid(compact):
        return True
    digits = sum(ch.isdigit() for ch in compact)
    return bool(_CODE_SHAPE.fullmatch(compact)) and digits >= _CODE_MIN_DIGITS


def _looks_like_phone(name: str) -> bool:
    if not _PHONE_SHAPE.fullmatch(name):
        return False
    try:
        number = phonenumbers.parse(name, "CN")
    except NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


# A name ends with its kind (公司, 厂, 店, ...), never with a question mark or particle.
_QUESTION_END = re.compile(r"(\?|吗|呢|么|嘛|没有?|不)$")


_MIDDLE_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅", "·"))


def contact_name(text: str) -> FieldResult:
    """Return the contact's name: Chinese or Latin letters, parts joined by "·"."""
    field = "contact_name"
    name = join_words(nfkc(text).translate(_MIDDLE_DOTS))
    if not name:
        return problem(field, "contact_empty")
    if len(name) > CONTACT_MAX:
        return problem(field, "contact_too_long", length=len(name), max=CONTACT_MAX)
    if not all(is_cjk(ch) or is_latin(ch) or ch in "· " for ch in name):
        return problem(field, "contact_chars")
    if name.startswith("·") or name.endswith("·") or "··" in name:
        return problem(field, "contact_dot")
    return Valid(name)
