"""Validate and normalise the fields of an enterprise appeal (企业诉求) form.

Each validator takes the raw text the user typed and returns `Valid` with the normalised value,
or `Problem` with a code (e.g. ``uscc_check``) and the Chinese explanation from
`config/appeal_fields.yml`, which also shows a valid value. The unified social credit code is
checked with python-stdnum (GB 32100-2015) and phone numbers with phonenumbers.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import phonenumbers
import yaml
from phonenumbers import NumberParseException, PhoneNumberType
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from bot.input_guard import MAX_BUTTONS
from bot.settings import PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "appeal_fields.yml"

NAME_MIN = 2
NAME_MAX = 60
NAME_MIN_LETTERS = 2
CONTACT_MAX = 20
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 1000
USCC_LENGTH = 18
SHANGHAI_AREA_CODE = "21"
# An 8-digit number typed without an area code is a Shanghai landline.
LOCAL_LANDLINE_DIGITS = 8

# field → problem code → the placeholders its message may use ({example} always may).
PROBLEMS: dict[str, dict[str, frozenset[str]]] = {
    "enterprise_name": {
        "name_empty": frozenset(),
        "name_too_short": frozenset({"length", "min"}),
        "name_too_long": frozenset({"length", "max"}),
        "name_not_a_name": frozenset({"min_letters"}),
        "name_is_credit_code": frozenset(),
        "name_is_phone": frozenset(),
        "name_is_question": frozenset(),
    },
    "credit_code": {
        "uscc_empty": frozenset(),
        "uscc_length": frozenset({"length"}),
        "uscc_chars": frozenset({"details"}),
        "uscc_check": frozenset(),
    },
    "contact_name": {
        "contact_empty": frozenset(),
        "contact_too_long": frozenset({"length", "max"}),
        "contact_chars": frozenset(),
        "contact_dot": frozenset(),
    },
    "phone": {
        "phone_empty": frozenset(),
        "phone_not_number": frozenset(),
        "phone_length": frozenset({"length"}),
        "phone_kind": frozenset(),
        "phone_invalid": frozenset(),
    },
    "town": {
        "town_empty": frozenset({"towns"}),
        "town_unknown": frozenset({"towns"}),
        "town_ambiguous": frozenset({"candidates", "towns"}),
    },
    "category": {
        "category_empty": frozenset({"options"}),
        "category_unknown": frozenset({"options"}),
        "category_number": frozenset({"number", "count", "options"}),
        "category_ambiguous": frozenset({"candidates", "options"}),
    },
    "description": {
        "description_empty": frozenset(),
        "description_too_short": frozenset({"count", "min"}),
        "description_too_long": frozenset({"length", "max"}),
    },
}
# A message shows a valid value through one of these.
_SHOWS_VALID_VALUE = frozenset({"example", "towns", "options", "candidates"})


@dataclass(frozen=True)
class Valid:
    """The normalised value of a field."""

    value: str


@dataclass(frozen=True)
class Problem:
    """Why the text is not a valid value: a stable code and the message users read."""

    code: str
    message: str


FieldResult: TypeAlias = Valid | Problem


class FieldConfigError(ValueError):
    """A problem in `config/appeal_fields.yml`, naming the file."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class FieldText:
    """What users read for one field: its label, a valid example and the problem messages."""

    label: str
    example: str
    problems: Mapping[str, str]


@dataclass(frozen=True)
class Category:
    """One appeal category: the stored code and the label users see."""

    code: str
    label: str


@dataclass(frozen=True)
class FieldConfig:
    """The contents of `config/appeal_fields.yml`."""

    fields: Mapping[str, FieldText]
    towns: tuple[str, ...]
    town_aliases: Mapping[str, str]
    town_prefixes: tuple[str, ...]
    categories: tuple[Category, ...]

    def category(self, code: str) -> Category:
        """Return the category with this code (KeyError if there is none)."""
        for item in self.categories:
            if item.code == code:
                return item
        raise KeyError(code)


# ---------------------------------------------------------------------------------------------
# Configuration


def _texts(value: Any, path: Path, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FieldConfigError(path, f"{what} must be a list of non-empty texts")
    if len(set(value)) != len(value):
        raise FieldConfigError(path, f"{what} has repeated entries")
    return tuple(value)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _field_text(name: str, raw: Any, path: Path) -> FieldText:
    if not isinstance(raw, dict) or not {"label", "example", "problems"} <= set(raw):
        raise FieldConfigError(path, f"fields.{name} needs label, example and problems")
    problems = raw["problems"]
    if not isinstance(problems, dict):
        raise FieldConfigError(path, f"fields.{name}.problems must be a mapping")
    expected = PROBLEMS[name]
    missing, extra = set(expected) - set(problems), set(problems) - set(expected)
    if missing or extra:
        raise FieldConfigError(
            path,
            f"fields.{name}.problems: missing {sorted(missing)}, unknown {sorted(extra)}",
        )
    for code, template in problems.items():
        if not isinstance(template, str) or not template.strip():
            raise FieldConfigError(path, f"{code}: the message must be a non-empty text")
        try:
            used = _placeholders(template)
        except ValueError as exc:
            raise FieldConfigError(path, f"{code}: {exc}") from exc
        unknown = used - expected[code] - {"example"}
        if unknown:
            raise FieldConfigError(path, f"{code}: unknown placeholder(s) {sorted(unknown)}")
        if not used & _SHOWS_VALID_VALUE:
            raise FieldConfigError(
                path, f"{code}: the message must show a valid value ({{example}} or a list)"
            )
    return FieldText(str(raw["label"]), str(raw["example"]), dict(problems))


def parse_field_config(data: Any, path: Path) -> FieldConfig:
    """Check the structure of the appeal field file and build its config."""
    if not isinstance(data, dict):
        raise FieldConfigError(path, "expected a mapping")
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or set(raw_fields) != set(PROBLEMS):
        raise FieldConfigError(path, f"fields must be exactly {sorted(PROBLEMS)}")
    field_texts = {name: _field_text(name, raw_fields[name], path) for name in PROBLEMS}

    towns = _texts(data.get("towns"), path, "towns")
    aliases = data.get("town_aliases")
    if not isinstance(aliases, dict):
        raise FieldConfigError(path, "town_aliases must be a mapping of short form → town")
    for alias, target in aliases.items():
        if target not in towns:
            raise FieldConfigError(path, f"town alias {alias!r} points to unknown town {target!r}")
        if alias in towns:
            raise FieldConfigError(path, f"town alias {alias!r} is itself a town")
    prefixes = _texts(data.get("town_prefixes"), path, "town_prefixes")

    raw_categories = data.get("categories")
    if not isinstance(raw_categories, list) or not raw_categories:
        raise FieldConfigError(path, "categories must be a non-empty list")
    categories = []
    for item in raw_categories:
        if not isinstance(item, dict) or not {"code", "label"} <= set(item):
            raise FieldConfigError(path, "each category needs code and label")
        code = str(item["code"])
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise FieldConfigError(path, f"category code {code!r} must be lower_snake_case")
        categories.append(Category(code, str(item["label"])))
    _texts([c.code for c in categories], path, "category codes")
    _texts([c.label for c in categories], path, "category labels")
    for what, count in (("towns", len(towns)), ("categories", len(categories))):
        if count > MAX_BUTTONS:  # each is offered as one message's buttons
            raise FieldConfigError(path, f"{what}: at most {MAX_BUTTONS} (one per button)")

    return FieldConfig(
        fields=field_texts,
        towns=towns,
        town_aliases={str(k): str(v) for k, v in aliases.items()},
        town_prefixes=prefixes,
        categories=tuple(categories),
    )


@cache
def load_field_config(path: Path = CONFIG_PATH) -> FieldConfig:
    """Return the checked contents of `config/appeal_fields.yml` (read once)."""
    return parse_field_config(yaml.safe_load(path.read_text(encoding="utf-8")), path)


def _problem(field: str, code: str, **values: object) -> Problem:
    text = load_field_config().fields[field]
    return Problem(code, text.problems[code].format(example=text.example, **values))


# ---------------------------------------------------------------------------------------------
# Text helpers


def _nfkc(text: str) -> str:
    """Return the text with full-width letters, digits and signs made half-width."""
    return unicodedata.normalize("NFKC", text)


def _is_cjk(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY"))


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def _join_words(text: str) -> str:
    """Trim and collapse whitespace; drop it entirely next to a non-ASCII character.

    "ABC  Trading" keeps one space; "王 晓明" and "ABC 科技" lose theirs.
    """
    words = text.split()
    if not words:
        return ""
    joined = words[0]
    for word in words[1:]:
        joined += word if not (joined[-1].isascii() and word[0].isascii()) else " " + word
    return joined


def _key(text: str) -> str:
    """Return the text for matching a choice: half-width, no spaces, no outer punctuation."""
    key = "".join(_nfkc(text).split())
    start, end = 0, len(key)
    while start < end and unicodedata.category(key[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(key[end - 1])[0] in "PS":
        end -= 1
    return key[start:end]


# ---------------------------------------------------------------------------------------------
# Validators


def enterprise_name(text: str) -> FieldResult:
    """Return the enterprise name, trimmed, with full-width brackets as on a business licence."""
    field = "enterprise_name"
    name = _join_words(_nfkc(text)).replace("(", "（").replace(")", "）")
    if not name:
        return _problem(field, "name_empty")
    if len(name) < NAME_MIN:
        return _problem(field, "name_too_short", length=len(name), min=NAME_MIN)
    if len(name) > NAME_MAX:
        return _problem(field, "name_too_long", length=len(name), max=NAME_MAX)
    if _looks_like_credit_code(name):
        return _problem(field, "name_is_credit_code")
    if _looks_like_phone(name):
        return _problem(field, "name_is_phone")
    if sum(ch.isalpha() for ch in name) < NAME_MIN_LETTERS:
        return _problem(field, "name_not_a_name", min_letters=NAME_MIN_LETTERS)
    if _QUESTION_END.search(name):
        # A question the classifier did not catch (it would become the appeal's name).
        return _problem(field, "name_is_question")
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
    half_width = "".join(_nfkc(text).split())
    # Any kind of dash is a separator (stdnum's compact() handles spaces and "-").
    code = uscc.compact("".join("-" if unicodedata.category(c) == "Pd" else c for c in half_width))
    if not code:
        return _problem(field, "uscc_empty")
    if not all(ch.isascii() and ch.isalnum() for ch in code):
        # Checked before the length: "您输入了19位" would mislead when a word slipped in.
        return _problem(field, "uscc_chars", details=_uscc_wrong_characters(code))
    try:
        return Valid(uscc.validate(code))
    except InvalidLength:
        return _problem(field, "uscc_length", length=len(code))
    except InvalidFormat:
        return _problem(field, "uscc_chars", details=_uscc_wrong_characters(code))
    except InvalidChecksum:
        return _problem(field, "uscc_check")


_MIDDLE_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅", "·"))


def contact_name(text: str) -> FieldResult:
    """Return the contact's name: Chinese or Latin letters, parts joined by "·"."""
    field = "contact_name"
    name = _join_words(_nfkc(text).translate(_MIDDLE_DOTS))
    if not name:
        return _problem(field, "contact_empty")
    if len(name) > CONTACT_MAX:
        return _problem(field, "contact_too_long", length=len(name), max=CONTACT_MAX)
    if not all(_is_cjk(ch) or _is_latin(ch) or ch in "· " for ch in name):
        return _problem(field, "contact_chars")
    if name.startswith("·") or name.endswith("·") or "··" in name:
        return _problem(field, "contact_dot")
    return Valid(name)


_PHONE_CHARACTERS = re.compile(r"[0-9+()\-./\s]+")


def phone(text: str) -> FieldResult:
    """Return a mobile or Shanghai landline number in E.164 (+8613812345678, +862162345678)."""
    field = "phone"
    raw = _nfkc(text).strip()
    raw = "".join("-" if unicodedata.category(c) == "Pd" else c for c in raw)
    if not raw:
        return _problem(field, "phone_empty")
    digits = "".join(ch for ch in raw if ch.isdigit())
    # Letters would be read as a keypad word by phonenumbers, so anything else is refused.
    if not digits or not _PHONE_CHARACTERS.fullmatch(raw):
        return _problem(field, "phone_not_number")
    if "+" not in raw and len(digits) == LOCAL_LANDLINE_DIGITS and digits[0] not in "01":
        raw = "0" + SHANGHAI_AREA_CODE + digits
    try:
        number = phonenumbers.parse(raw, "CN")
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return _problem(field, "phone_kind")
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
            return _problem(field, "phone_length", length=len(digits))
        return _problem(field, "phone_not_number")
    national = phonenumbers.national_significant_number(number)
    if number.country_code != phonenumbers.country_code_for_region("CN"):
        return _problem(field, "phone_kind")
    if phonenumbers.is_valid_number(number):
        kind = phonenumbers.number_type(number)
        area = national[: phonenumbers.length_of_geographical_area_code(number)]
        if kind == PhoneNumberType.MOBILE or (
            kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
            and area == SHANGHAI_AREA_CODE
        ):
            return Valid(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        return _problem(field, "phone_kind")
    # Not a valid number: say so by length where the intended kind is clear.
    if national.startswith("1") and len(national) != 11:
        return _problem(field, "phone_length", length=len(national))
    if national.startswith(SHANGHAI_AREA_CODE) and len(national) != 10:
        return _problem(field, "phone_length", length=len(national) - len(SHANGHAI_AREA_CODE))
    if len(national) < 10:
        return _problem(field, "phone_length", length=len(national))
    return _problem(field, "phone_invalid")


def _town_names(config: FieldConfig, town_name: str) -> list[str]:
    return [town_name, *(a for a, t in config.town_aliases.items() if t == town_name)]


def town(text: str) -> FieldResult:
    """Return one of the towns of `config/appeal_fields.yml` from its name or a short form."""
    field, config = "town", load_field_config()
    towns = "、".join(config.towns)
    key = _key(text)
    if not key:
        return _problem(field, "town_empty", towns=towns)
    stripped = True
    while stripped:
        stripped = False
        for prefix in config.town_prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, stripped = key[len(prefix) :], True
    if key in config.towns:
        return Valid(key)
    if key in config.town_aliases:
        return Valid(config.town_aliases[key])
    # Part of a name ("嘉定" → three towns) or a name inside a longer text ("南翔镇人民街").
    candidates = [
        name
        for name in config.towns
        if any((len(key) >= 2 and key in form) or form in key for form in _town_names(config, name))
    ]
    if len(candidates) == 1:
        return Valid(candidates[0])
    if candidates:
        return _problem(field, "town_ambiguous", candidates="、".join(candidates), towns=towns)
    return _problem(field, "town_unknown", towns=towns)


def _code_key(text: str) -> str:
    return text.casefold().replace("_", "").replace("-", "")


def category(text: str) -> FieldResult:
    """Return a category code from its label, its code or its number (1-based)."""
    field, config = "category", load_field_config()
    options = "\n".join(f"{i}. {c.label}" for i, c in enumerate(config.categories, start=1))
    key = _key(text)
    if not key:
        return _problem(field, "category_empty", options=options)
    number = re.fullmatch(r"第?([0-9]+)[项类个号]?", key)
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(config.categories):
            return Valid(config.categories[index - 1].code)
        return _problem(
            field,
            "category_number",
            number=number.group(1),
            count=len(config.categories),
            options=options,
        )
    for item in config.categories:
        if key == item.label or _code_key(key) == _code_key(item.code):
            return Valid(item.code)
    candidates = [
        c for c in config.categories if (len(key) >= 2 and key in c.label) or c.label in key
    ]
    if len(candidates) == 1:
        return Valid(candidates[0].code)
    if candidates:
        labels = "、".join(c.label for c in candidates)
        return _problem(field, "category_ambiguous", candidates=labels, options=options)
    return _problem(field, "category_unknown", options=options)


def description(text: str) -> FieldResult:
    """Return the description, trimmed, if it says enough and is not too long."""
    field = "description"
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        return _problem(field, "description_empty")
    content = sum(ch.isalnum() for ch in body)
    if content < DESCRIPTION_MIN:
        return _problem(field, "description_too_short", count=content, min=DESCRIPTION_MIN)
    if len(body) > DESCRIPTION_MAX:
        return _problem(field, "description_too_long", length=len(body), max=DESCRIPTION_MAX)
    return Valid(body)


# field → validator, in the order the form asks.
VALIDATORS: dict[str, Callable[[str], FieldResult]] = {
    "enterprise_name": enterprise_name,
    "credit_code": credit_code,
    "contact_name": contact_name,
    "phone": phone,
    "town": town,
    "category": category,
    "description": description,
}
