"""The policy finder's steps and options (`policies_kb/finder.yml`) and entry tag checks.

Kept apart from bot.kb.finder so the entry schema can check `finder` tags without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.kb.errors import KbError

FINDER_FILE = "finder.yml"


@dataclass(frozen=True)
class Option:
    """One answer a step offers."""

    code: str
    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One question of the finder."""

    key: str
    question: str
    options: tuple[Option, ...]
    multiple: bool

    def codes(self) -> set[str]:
        """Return the option codes of this step."""
        return {o.code for o in self.options}


@dataclass(frozen=True)
class FinderConfig:
    """Steps and the words for skipping, cancelling and "none of these"."""

    steps: tuple[Step, ...]
    skip_words: tuple[str, ...]
    cancel_words: tuple[str, ...]
    none_words: tuple[str, ...]
    # Words that ask for measures of a past period too (「往年的疫情政策」).
    past_words: tuple[str, ...] = ()

    def step(self, key: str) -> Step:
        """Return the step named `key`."""
        return next(s for s in self.steps if s.key == key)


def _strings(value: Any, path: Path, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise KbError(path, 1, f"{what} must be a list of non-empty texts")
    return tuple(value)


def parse_config(data: Any, path: Path) -> FinderConfig:
    """Check the finder file's structure and build its config."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise KbError(path, 1, "expected a mapping with steps")
    steps = []
    for raw in data["steps"]:
        if not isinstance(raw, dict) or not {"key", "question", "options"} <= set(raw):
            raise KbError(path, 1, "each step needs key, question and options")
        options = []
        for opt in raw["options"]:
            if not isinstance(opt, dict) or not {"code", "label"} <= set(opt):
                raise KbError(path, 1, f"step {raw['key']}: each option needs code and label")
            words = _strings(opt.get("words", []) or [], path, f"{opt['code']} words")
            options.append(Option(str(opt["code"]), str(opt["label"]), words))
        if len({o.code for o in options}) != len(options):
            raise KbError(path, 1, f"step {raw['key']}: option codes repeat")
        steps.append(
            Step(str(raw["key"]), str(raw["question"]), tuple(options), bool(raw.get("multiple")))
        )
    if len({s.key for s in steps}) != len(steps):
        raise KbError(path, 1, "step keys repeat")
    return FinderConfig(
        steps=tuple(steps),
        skip_words=_strings(data.get("skip_words"), path, "skip_words"),
        cancel_words=_strings(data.get("cancel_words"), path, "cancel_words"),
        none_words=_strings(data.get("none_words"), path, "none_words"),
        past_words=_strings(data.get("past_words"), path, "past_words"),
    )


@cache
def load_config(kb_dir: Path) -> FinderConfig:
    """Load `policies_kb/finder.yml`."""
    path = kb_dir / FINDER_FILE
    return parse_config(yaml.safe_load(path.read_text(encoding="utf-8")), path)


def check_tags(raw: Any, config: FinderConfig) -> dict[str, tuple[str, ...]]:
    """Validate an entry's `finder` mapping; raise ValueError naming what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("finder must be a mapping of step keys to option codes")
    tags: dict[str, tuple[str, ...]] = {}
    keys = {s.key for s in config.steps}
    for key, codes in raw.items():
        if key not in keys:
            raise ValueError(f"finder has no step {key!r} (steps: {', '.join(sorted(keys))})")
        if not isinstance(codes, list) or not codes:
            raise ValueError(f"finder.{key} must be a non-empty list of option codes")
        unknown = sorted(set(map(str, codes)) - config.step(key).codes())
        if unknown:
            raise ValueError(f"finder.{key}: unknown option(s) {', '.join(unknown)}")
        tags[key] = tuple(str(c) for c in codes)
    return tags
