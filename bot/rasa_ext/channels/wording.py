"""What the chat channels say to the user themselves: ``config/channel_wording.yml``.

Chinese wording lives in data, not in Python: the channels' own replies (slow down, the
WeChat notices) are read from one file, once per process. A missing, empty or unknown key
fails loudly at the first read (the WeChat channel reads it when it is built). No Rasa
import: the channels and their tests share it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

WORDING_FILE = PROJECT_ROOT / "config" / "channel_wording.yml"


class WordingError(ValueError):
    """The wording file lacks a text, has an empty one or names an unknown key."""


@dataclass(frozen=True)
class ChannelWording:
    """The channels' texts, one field per key of the wording file."""

    slow_down: str
    non_text: str
    options_header: str
    error: str
    agent_label: str


@cache
def channel_wording(path: Path = WORDING_FILE) -> ChannelWording:
    """Read the channels' texts (cached: the file is read once per process)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise WordingError(f"{path}: expected a mapping of texts")
    names = [field.name for field in dataclasses.fields(ChannelWording)]
    unknown = sorted(set(data) - set(names))
    empty = [
        name for name in names if not isinstance(data.get(name), str) or not data[name].strip()
    ]
    if unknown or empty:
        raise WordingError(f"{path}: missing or empty {empty}, unknown {unknown}")
    return ChannelWording(**{name: data[name] for name in names})
