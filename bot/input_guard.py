"""Recognise input the assistant cannot understand as a question (empty, too long, markup...).

The NLU pipeline turns such input into the fallback intent, and the fallback action answers
with the matching polite reply; both call :func:`assess`, so they always agree.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

# Longest message we try to understand; longer ones get a request to shorten it.
MAX_MESSAGE_CHARS = 500
# Most buttons one bot message offers: the widget shows them all, WeChat numbers them, and a
# longer list is more than a user can read on a phone. Configured lists (towns, categories)
# are checked against it when loaded; channels drop any past it (bot.rasa_ext.channels.limits).
MAX_BUTTONS = 16
# A message with no Chinese and at least this many Latin words is taken as English prose;
# shorter ones ("hi", "ok", "thx", a tracking number) go to the classifier as usual.
MIN_FOREIGN_WORDS = 3

_MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|<!--|javascript:", re.IGNORECASE)
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")


class InputProblem(str, Enum):
    """Why a message cannot be treated as a question."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    MARKUP = "markup"
    NO_WORDS = "no_words"
    NOT_CHINESE = "not_chinese"


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def assess(text: str | None) -> InputProblem | None:
    """Return the problem with ``text``, or None when it can go to the classifier."""
    stripped = (text or "").strip()
    if not stripped:
        return InputProblem.EMPTY
    if len(stripped) > MAX_MESSAGE_CHARS:
        return InputProblem.TOO_LONG
    if _MARKUP_RE.search(stripped):
        return InputProblem.MARKUP
    if any(_is_cjk(ch) for ch in stripped):
        return None
    # No letters and no digits at all: only emoji, symbols or punctuation.
    if not any(unicodedata.category(ch)[0] in "LN" for ch in stripped):
        return InputProblem.NO_WORDS
    if len(_LATIN_WORD_RE.findall(stripped)) >= MIN_FOREIGN_WORDS:
        return InputProblem.NOT_CHINESE
    return None
