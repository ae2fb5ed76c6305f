"""What the chat channels say to the user themselves: ``config/channel_wording.yml``.

Chinese wording lives in data, not in Python: the channels' own replies (slow down, the
WeChat notices) are read from one file, once per process, by bot.wording.load_texts. A
missing, empty or unknown key fails loudly at the first read (the WeChat channel reads it
when it is built). No Rasa import: the channels and their tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.wording import WordingError, load_texts

WORDING_FILE = PROJECT_ROOT / "config" / "channel_wording.yml"

__all__ = ["WORDING_FILE", "ChannelWording", "WordingError", "channel_wording"]


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
    return load_texts(ChannelWording, path)
