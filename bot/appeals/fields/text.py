"""Text normalisation shared by the field validators."""

from __future__ import annotations

import unicodedata


def nfkc(text: str) -> str:
    """Return the text with full-width letters, digits and signs made half-width."""
    return unicodedata.normalize("NFKC", text)


def is_cjk(ch: str) -> bool:
    """Return whether ``ch`` is a Chinese character."""
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY"))


def is_latin(ch: str) -> bool:
    """Return whether ``ch`` is a Latin letter."""
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def join_words(text: str) -> str:
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


def choice_key(text: str) -> str:
    """Return the text for matching a choice: half-width, no spaces, no outer punctuation."""
    key = "".join(nfkc(text).split())
    start, end = 0, len(key)
    while start < end and unicodedata.category(key[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(key[end - 1])[0] in "PS":
        end -= 1
    return key[start:end]
