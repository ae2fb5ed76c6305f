"""Normalise and tokenise Chinese text the same way for the index and for queries."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache
from pathlib import Path

import jieba

# Function words and filler that say nothing about which policy is meant.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "嘛",
        "哦",
        "么",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "有",
        "没",
        "没有",
        "就",
        "都",
        "也",
        "还",
        "又",
        "很",
        "太",
        "被",
        "把",
        "给",
        "让",
        "对",
        "我",
        "我们",
        "我司",
        "咱",
        "咱们",
        "你",
        "你们",
        "您",
        "他",
        "她",
        "它",
        "他们",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "哪",
        "哪个",
        "哪些",
        "什么",
        "怎么",
        "怎么样",
        "怎样",
        "如何",
        "为什么",
        "多少",
        "几",
        "能",
        "能不能",
        "可以",
        "可不可以",
        "会",
        "要",
        "想",
        "想要",
        "需要",
        "请问",
        "请",
        "问",
        "问下",
        "问一下",
        "一下",
        "下",
        "一个",
        "个",
        "些",
        "点",
        "一点",
        "吗",
        "啥",
        "咋",
        "咋办",
        "嘛",
        "呗",
        "哈",
        "嗯",
        "区里",
        "区",
        "嘉定",
        "嘉定区",
        "上海",
        "政府",
        "政策",
    ]
)
_PUNCT_RE = re.compile(r"^[\W_]+$")


def normalise(text: str) -> str:
    """Fold full-width forms and case, collapse whitespace."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


@cache
def tokenizer(userdict: Path | None) -> jieba.Tokenizer:
    """Return jieba's tokenizer with the KB's user dictionary loaded (once per file).

    The process's default tokenizer, which Rasa's JiebaTokenizer and spaCy's Chinese
    segmenter use too: a tokenizer of our own held a second copy of jieba's dictionary,
    66 MB in the Rasa process and again in the action server.
    """
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.dt
    if userdict is not None and userdict.exists():
        tok.load_userdict(str(userdict))
    return tok


def tokens(text: str, userdict: Path | None) -> list[str]:
    """Return the content words of ``text`` (normalised, no punctuation or stopwords)."""
    words = tokenizer(userdict).lcut(normalise(text))
    return [
        w for w in (w.strip() for w in words) if w and w not in STOPWORDS and not _PUNCT_RE.match(w)
    ]
