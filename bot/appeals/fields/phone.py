"""The contact phone: a mobile or Shanghai landline number, checked with phonenumbers."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from bot.appeals.fields.config import FieldResult, Valid, problem
from bot.appeals.fields.text import nfkc

SHANGHAI_AREA_CODE = "21"
# An 8-digit number typed without an area code is a Shanghai landline.
LOCAL_LANDLINE_DIGITS = 8


_PHONE_CHARACTERS = re.compile(r"[0-9+()\-./\s]+")


def phone(text: str) -> FieldResult:
    """Return a mobile or Shanghai landline number in E.164 (+8613812345678, +862162345678)."""
    field = "phone"
    raw = nfkc(text).strip()
    raw = "".join("-" if unicodedata.category(c) == "Pd" else c for c in raw)
    if not raw:
        return problem(field, "phone_empty")
    digits = "".join(ch for ch in raw if ch.isdigit())
    # Letters would be read as a keypad word by phonenumbers, so anything else is refused.
    if not digits or not _PHONE_CHARACTERS.fullmatch(raw):
        return problem(field, "phone_not_number")
    if "+" not in raw and len(digits) == LOCAL_LANDLINE_DIGITS and digits[0] not in "01":
        raw = "0" + SHANGHAI_AREA_CODE + digits
    try:
        number = phonenumbers.parse(raw, "CN")
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return problem(field, "phone_kind")
        # A single digit is NOT_A_NUMBER to phonenumbers; to the user it is too short.
        if (
            exc.error_type
            in (
                NumberParseException.TOO_SHORT_NSN,
                NumberParseException.TOO_SHORT_AFTER_IDD,
                NumberParseException.TOO_LONG,
            )
            or len(digits) < 3
        ):
            return problem(field, "phone_length", length=len(digits))
        return problem(field, "phone_not_number")
    national = phonenumbers.national_significant_number(number)
    if number.country_code != phonenumbers.country_code_for_region("CN"):
        return problem(field, "phone_kind")
    if phonenumbers.is_valid_number(number):
        kind = phonenumbers.number_type(number)
        area = national[: phonenumbers.length_of_geographical_area_code(number)]
        if kind == PhoneNumberType.MOBILE or (
            kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
            and area == SHANGHAI_AREA_CODE
        ):
            return Valid(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        return problem(field, "phone_kind")
    # Not a valid number: say so by length where the intended kind is clear.
    if national.startswith("1") and len(national) != 11:
        return problem(field, "phone_length", length=len(national))
    if national.startswith(SHANGHAI_AREA_CODE) and len(national) != 10:
        return problem(field, "phone_length", length=len(national) - len(SHANGHAI_AREA_CODE))
    if len(national) < 10:
        return problem(field, "phone_length", length=len(national))
    return problem(field, "phone_invalid")
