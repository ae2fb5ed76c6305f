"""The policy finder (惠企政策匹配): read a profile step by step and list the entries that fit.

The steps, their options and the words people type for them live in `policies_kb/finder.yml`;
each entry says which options it is for in its `finder` mapping (see policies_kb/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from bot.kb.answer import citation
from bot.kb.finder_config import FinderConfig, Step
from bot.kb.schema import Entry
from bot.kb.status import status_line, status_warning
from bot.kb.wording import format_strings

NONE = "none"
# A negation just before a word ("不出口", "没有招聘") means the option was not chosen.
_NEGATION_RE = re.compile(r"[不没无未](?:有|打算|准备|计划|想)?$")
_PUNCT_RE = re.compile(r"[\s\W_]+")
_DIGITS_RE = re.compile(r"\d+(?:[\s、,，]+\d+)*")
MAX_LISTED = 8


class Reading(Enum):
    """What an answer to a step turned out to be."""

    CHOSEN = "chosen"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Answer:
    """An answer to one step: the chosen codes (empty when skipped or "none")."""

    reading: Reading
    codes: tuple[str, ...] = ()


def _normalise(text: str) -> str:
    return _PUNCT_RE.sub("", text).lower()


def _mentions(text: str, word: str) -> bool:
    """Tell whether `word` occurs in `text` without a negation just before it."""
    start = text.find(word)
    while start != -1:
        if not _NEGATION_RE.search(text[max(0, start - 3) : start]):
            return True
        start = text.find(word, start + 1)
    return False


def read_answer(step: Step, text: str, config: FinderConfig) -> Answer:
    """Understand a typed or pressed answer to `step`."""
    plain = _normalise(text)
    if not plain:
        return Answer(Reading.UNCLEAR)
    if any(w in plain for w in config.cancel_words):
        return Answer(Reading.CANCELLED)
    if _DIGITS_RE.fullmatch(text.strip()):
        # Numbered options (the WeChat channel shows buttons as a numbered list).
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        if all(1 <= n <= len(step.options) for n in numbers) and (
            step.multiple or len(numbers) == 1
        ):
            return Answer(Reading.CHOSEN, tuple(step.options[n - 1].code for n in numbers))
        return Answer(Reading.UNCLEAR)
    chosen = [
        o.code
        for o in step.options
        if any(_mentions(plain, _normalise(w)) for w in (o.label, *o.words))
    ]
    if len(chosen) == 1 or (chosen and step.multiple):
        return Answer(Reading.CHOSEN, tuple(chosen))
    if chosen:
        return Answer(Reading.UNCLEAR)
    if step.multiple and plain.rstrip("吧的啊呢") in config.none_words:
        return Answer(Reading.CHOSEN, (NONE,))
    if any(w in plain for w in config.skip_words):
        return Answer(Reading.SKIPPED)
    return Answer(Reading.UNCLEAR)


@dataclass(frozen=True)
class Match:
    """An entry that fits the profile, with how many answered steps it is specifically for."""

    entry: Entry
    score: int
    reasons: tuple[str, ...] = ()  # "step:code" of each answered step it is specifically for


def asks_for_past(text: str, config: FinderConfig) -> bool:
    """Tell whether a question asks for measures of a past period too (「往年的疫情政策」)."""
    plain = _normalise(text)
    return any(_mentions(plain, _normalise(w)) for w in config.past_words)


def find(
    entries: Iterable[Entry],
    profile: Mapping[str, tuple[str, ...]],
    config: FinderConfig,
    include_past: bool = False,
    today: date | None = None,
) -> tuple[list[Match], list[Match]]:
    """Return the matches to list and the matches of a past period left out.

    Measures of a past period (2020 epidemic, targets for an ended year) are matched apart and
    only counted, unless `include_past`: the list is then what `match_entries` gives for the
    current measures alone (falling back to the services for everyone as it does).
    """
    entries = list(entries)
    if include_past:
        return match_entries(entries, profile, config), []
    current = [e for e in entries if not e.period.is_past(today)]
    past = [e for e in entries if e.period.is_past(today)]
    return match_entries(current, profile, config), match_entries(past, profile, config)


def match_entries(
    entries: Iterable[Entry],
    profile: Mapping[str, tuple[str, ...]],
    config: FinderConfig,
) -> list[Match]:
    """Entries that fit `profile` (step key → chosen codes; absent or empty = skipped).

    An entry is left out when a step it is restricted to was answered with another option
    (for the multiple-choice step: with none of its options, or with "none"). It scores one
    point for each answered step it is specifically for. Entries specific to the profile come
    first, highest score first; among equal scores the chosen options take turns (one entry for
    hiring, one for R&D, ...), so a shortened list still covers every answer. If no entry is
    specific, the entries for every enterprise are listed.
    """
    matches = []
    for entry in entries:
        if entry.finder is None:
            continue
        tags = dict(entry.finder)
        reasons: list[str] = []
        fits = True
        for step in config.steps:
            chosen = set(profile.get(step.key) or ())
            allowed = set(tags.get(step.key, ()))
            if not chosen or not allowed:
                continue
            if chosen & allowed:
                reasons.append(f"{step.key}:{min(chosen & allowed)}")
            else:
                fits = False
                break
        if fits:
            matches.append(Match(entry, len(reasons), tuple(reasons)))
    specific = [m for m in matches if m.score > 0]
    if not specific:
        return sorted((m for m in matches if not m.entry.finder), key=lambda m: m.entry.articles[0])
    return _take_turns(specific)


def _take_turns(matches: list[Match]) -> list[Match]:
    """Order by score; within a score, round-robin over the first reason of each match."""
    ordered: list[Match] = []
    for score in sorted({m.score for m in matches}, reverse=True):
        groups: dict[str, list[Match]] = {}
        for m in sorted(matches, key=lambda m: m.entry.articles[0]):
            if m.score == score:
                groups.setdefault(m.reasons[-1], []).append(m)
        queues = [groups[k] for k in sorted(groups)]
        while any(queues):
            for queue in queues:
                if queue:
                    ordered.append(queue.pop(0))
    return ordered


def profile_labels(profile: Mapping[str, tuple[str, ...]], config: FinderConfig) -> list[str]:
    """Return the chosen options' labels in step order, to repeat the profile back."""
    labels: list[str] = []
    for step in config.steps:
        by_code = {o.code: o.label for o in step.options}
        labels.extend(by_code[c] for c in profile.get(step.key) or () if c in by_code)
    return labels


def matches_text(
    matches: Sequence[Match],
    labels: Sequence[str],
    limit: int = MAX_LISTED,
    left_out: Sequence[Match] = (),
) -> str:
    """Compose the list: a header, one line per entry ending with its citation, a footer.

    `left_out`: matches of a past period not listed; the list says how many and how to ask.
    The list ends with the source documents' status line (and starts with a warning when a
    document no longer applies).
    """
    strings = format_strings()
    if labels:
        profile = strings["finder_profile_separator"].join(labels)
        lines = [strings["finder_header"].format(profile=profile)]
    else:
        lines = [strings["finder_header_general"]]
    for n, match in enumerate(matches[:limit], start=1):
        entry = match.entry
        past = entry.period.is_past()
        period = strings["finder_period"].format(label=entry.period.label) if past else ""
        lines.append(
            strings["finder_line"].format(
                n=n,
                title=entry.title,
                summary=entry.summary,
                period=period,
                citation=citation(entry),
            )
        )
    if len(matches) > limit:
        lines.append(strings["finder_more"].format(rest=len(matches) - limit))
    if left_out:
        lines.append(left_out_line(left_out))
    lines.append(strings["finder_footer"])
    sources = dict.fromkeys(m.entry.source for m in matches[:limit])
    lines.extend(status_line(source) for source in sources)
    warnings = [w for w in (status_warning(source) for source in sources) if w]
    return "\n".join([*warnings, *lines])


def encode_profile(profile: Mapping[str, tuple[str, ...]]) -> str:
    """Write a profile as ``industry=hard_hit;activities=hiring,rnd`` (a button's payload)."""
    return ";".join(f"{k}={','.join(v)}" for k, v in profile.items() if v)


def decode_profile(text: str, config: FinderConfig) -> dict[str, tuple[str, ...]]:
    """Read what `encode_profile` wrote; unknown steps and codes are left out."""
    profile: dict[str, tuple[str, ...]] = {}
    keys = {s.key for s in config.steps}
    for part in text.split(";"):
        key, _, codes = part.partition("=")
        if key not in keys:
            continue
        valid = config.step(key).codes() | {NONE}
        chosen = tuple(c for c in codes.split(",") if c in valid)
        if chosen:
            profile[key] = chosen
    return profile


def left_out_line(left_out: Sequence[Match]) -> str:
    """Say how many measures of a past period were not listed, and how to ask for them."""
    strings = format_strings()
    periods = dict.fromkeys(m.entry.period.label for m in left_out)
    return strings["finder_past_left_out"].format(
        count=len(left_out),
        labels=strings["finder_past_label_separator"].join(periods),
        button=strings["finder_past_button"],
    )


def matches_payload(
    matches: Sequence[Match], profile: Mapping[str, tuple[str, ...]], limit: int = MAX_LISTED
) -> dict[str, Any]:
    """Return the machine-readable list (``policy_matches``, documented in the README)."""
    return {
        "type": "policy_matches",
        "profile": {k: list(v) for k, v in profile.items() if v},
        "total": len(matches),
        "options": [
            {
                "entry_id": m.entry.id,
                "articles": list(m.entry.articles),
                "title": m.entry.title,
                "summary": m.entry.summary,
            }
            for m in matches[:limit]
        ],
    }
