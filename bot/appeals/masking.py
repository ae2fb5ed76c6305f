"""Mask personal data: phone numbers and resident ID numbers, alone or inside free text.

Conventions: a mobile keeps its first 3 and last 4 digits (138****5678); a landline keeps its
area code and last 4 digits (021****5678); a resident ID number keeps its first 6 (the place)
and last 4 characters (310114********1234). Unified social credit codes and tracking numbers
(JD-20261127-0042) are not personal data and are left alone.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber
from stdnum.cn import ric

MASK = "****"
ID_MASK = "*" * 8
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_CHINA = 86
SHANGHAI_AREA_CODE = "21"


def _parse_e164(e164: str) -> PhoneNumber:
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException as exc:
        raise ValueError(f"not a phone number in E.164 form: {e164!r}") from exc
    if len(phonenumbers.national_significant_number(number)) < 4:
        raise ValueError(f"too short to be a phone number: {e164!r}")
    return number


def mask_phone(e164: str) -> str:
    """Return the number with its middle hidden: "138****5678", "021****5678".

    Numbers from other countries keep the country code and last 4 digits ("+1 ****0000").
    Raise ValueError for text that is not a number in E.164 form (+ country code, digits).
    """
    number = _parse_e164(e164)
    national = phonenumbers.national_significant_number(number)
    if number.country_code != _CHINA:
        return f"+{number.country_code} {MASK}{national[-4:]}"
    if _MOBILE.fullmatch(national):
        return f"{national[:3]}{MASK}{national[-4:]}"
    area = phonenumbers.length_of_geographical_area_code(number)
    prefix = f"0{national[:area]}" if area else ""
    return f"{prefix}{MASK}{national[-4:]}"


def phone_last4(e164: str) -> str:
    """Return the last 4 digits of a number in E.164 form (what users confirm an appeal with)."""
    return phonenumbers.national_significant_number(_parse_e164(e164))[-4:]


def mask_id_number(number: str) -> str:
    """Return an 18-character resident ID number with only its first 6 and last 4 kept.

    The check character is not verified here (a mistyped number is still masked); raise
    ValueError if the text does not have the shape of one (17 digits, then a digit or X).
    """
    half_width = unicodedata.normalize("NFKC", number)
    compact = ric.compact("".join(half_width.split()).replace("-", ""))
    if not _ID_NUMBER.fullmatch(compact):
        raise ValueError("expected an 18-character resident ID number")
    return f"{compact[:6]}{ID_MASK}{compact[-4:]}"


# Full-width forms (U+FF01-FF5E) and the ideographic space, made half-width one character for
# one character, so that positions found in the converted text are positions in the original.
_HALF_WIDTH = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)} | {"\u3000": " "})

# Numbers are matched only when they do not continue a longer number (so a digit run such as
# an 18-digit credit code or a date inside JD-20261127-0042 is never cut into a phone number)
# or an already masked one (so masking twice changes nothing). Separators inside a number: one
# space or "-". Alternatives are tried in order at each position.
_COUNTRY = r"(?:\(?(?:\+|00)?86\)?[ \-]?)"
_IN_TEXT = re.compile(
    r"(?<![0-9*])(?:"
    # a resident ID number (masked only if stdnum.cn.ric accepts it)
    r"(?P<id>[0-9]{17}[0-9Xx])(?![0-9])"
    # a Shanghai landline with its area code: 021-62345678, (021)6234 5678, +86 21 62345678
    rf"|(?:{_COUNTRY}\(?0?21\)?|\(?021\)?)[ \-]?(?P<landline>[0-9]{{4}}[ \-]?[0-9]{{4}})(?![0-9])"
    # a mobile, maybe with +86 / 86 / 0086: 13812345678, 138 1234 5678, +86-138-1234-5678
    rf"|{_COUNTRY}?(?P<mobile>1[3-9](?:[ \-]?[0-9]){{9}})(?![0-9])"
    # 8 digits right after a word for phone: a landline written without its area code
    r"|(?i:电话|座机|固话|tel|phone)[:：\s]*(?P<local>[0-9]{4}[ \-]?[0-9]{4})(?![0-9A-Za-z])"
    r")"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def is_id_number(number: str) -> bool:
    """Return whether ``number`` is a valid resident ID number (python-stdnum's check).

    python-stdnum 2.2 (the newest release) raises KeyError instead of answering False for a
    number whose first six digits name a province or prefecture but no county (for example
    ``110291702009280787``): found by a Hypothesis test; such text must not crash a log line
    or a staff list, so any error from the check counts as "not an ID number".
    """
    try:
        return bool(ric.is_valid(number))
    except Exception:  # see above: a library bug, not an expected case
        return False


def _masked_span(match: re.Match[str]) -> tuple[int, int, str]:
    """Return where the replacement goes and what it is (the unchanged text if nothing)."""
    if match.group("id") is not None:
        number = match.group("id")
        masked = mask_id_number(number) if is_id_number(number) else number
        return match.start(), match.end(), masked
    if match.group("landline") is not None:
        subscriber = _digits(match.group("landline"))
        return match.start(), match.end(), f"0{SHANGHAI_AREA_CODE}{MASK}{subscriber[-4:]}"
    if match.group("mobile") is not None:
        mobile = _digits(match.group("mobile"))
        return match.start(), match.end(), f"{mobile[:3]}{MASK}{mobile[-4:]}"
    # After a word for phone: only the number is replaced, the word stays as written.
    local = _digits(match.group("local"))
    return match.start("local"), match.end("local"), f"{MASK}{local[-4:]}"


def mask_text(text: str) -> str:
    """Return the text with every mobile, Shanghai landline and resident ID number masked.

    Meant for log lines and other free text. Full-width digits are found too; the masked
    forms are those of mask_phone and mask_id_number. Masking twice changes nothing.
    """
    half_width = text.translate(_HALF_WIDTH)
    parts: list[str] = []
    last = 0
    for match in _IN_TEXT.finditer(half_width):
        start, end, masked = _masked_span(match)
        if masked != half_width[start:end]:
            parts += [text[last:start], masked]
            last = end
    parts.append(text[last:])
    return "".join(parts)


# Runs of digits (optionally split by spaces or dashes) long enough to be a phone number.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){6,}")


def mask_numbers(text: str) -> str:
    """Return ``text`` with every long digit run (a phone number, say) masked, for logs.

    Cruder than :func:`mask_text` on purpose: error texts from the network may hold numbers
    in any shape, and a log line needs none of them.
    """
    return _LONG_NUMBER.sub("***", text)
