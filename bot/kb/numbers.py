"""Find the numbers a text states, to check them against the source document."""

from __future__ import annotations

import re

_ARABIC_RE = re.compile(r"\d+(?:\.\d+)?")
_CN_DIGITS = "零一二两三四五六七八九十百千万亿"
# Chinese counts: a numeral with a measure word (八大类, 21项 is Arabic), fractions and halves.
_CN_COUNT_RE = re.compile(
    rf"[{_CN_DIGITS}]+分之[{_CN_DIGITS}]+"
    rf"|[{_CN_DIGITS}]+(?:大类|个|项|类|年|天|张|倍|成|批|级|家)"
    r"|一半"
)


def stated_numbers(text: str) -> list[str]:
    """Return the Arabic numbers and Chinese counts stated in ``text``, in order."""
    compact = re.sub(r"\s+", "", text)
    found = _ARABIC_RE.findall(compact)
    found += [m for m in _CN_COUNT_RE.findall(compact) if not _is_idiom(compact, m)]
    return found


# Words that contain a numeral but state no quantity.
_IDIOMS = (
    "一网通办",
    "一窗",
    "一表",
    "一站式",
    "一体化",
    "一刀切",
    "一流",
    "一次办",
    "一网办",
    "一件事",
    "一批",
    "第一时间",
    "统一",
    "进一步",
    "一起",
    "一些",
    "一下",
    "万一",
    "一定",
)


def _is_idiom(text: str, match: str) -> bool:
    start = text.find(match)
    window = text[max(0, start - 2) : start + len(match) + 3]
    return any(idiom in window and match in idiom for idiom in _IDIOMS)


def unsupported_numbers(text: str, source_compact: str) -> list[str]:
    """Return the numbers stated in ``text`` that do not occur in the source text.

    An Arabic number must occur as a whole number of the source (20 is not in "2020");
    a Chinese count must occur as written.
    """
    source_numbers = set(_ARABIC_RE.findall(source_compact))
    return [
        n
        for n in stated_numbers(text)
        if (n not in source_numbers if _ARABIC_RE.fullmatch(n) else n not in source_compact)
    ]
