"""The channels' own wording (config/channel_wording.yml, bot/rasa_ext/channels/wording.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.rasa_ext.channels.wording import (
    WORDING_FILE,
    ChannelWording,
    WordingError,
    channel_wording,
)

TEXTS = {
    "slow_down": "您发送消息过于频繁，请稍等一会儿再发。",
    "non_text": "目前只能处理文字消息，请直接输入您的问题。",
    "options_header": "回复数字选择：",
    "error": "抱歉，系统暂时出现问题，请稍后再试。",
    "agent_label": "【工作人员】",
}


def test_every_key_is_present_and_not_empty() -> None:
    data = yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))
    names = {field.name for field in dataclasses.fields(ChannelWording)}
    assert set(data) == names
    for name in names:
        assert isinstance(data[name], str) and data[name].strip(), name
        assert getattr(channel_wording(), name) == data[name]


def test_the_texts_are_the_ones_the_channels_said() -> None:
    assert dataclasses.asdict(channel_wording()) == TEXTS


def test_the_file_is_read_once() -> None:
    assert channel_wording() is channel_wording()


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.pop("error"),
        lambda data: data.update(error=""),
        lambda data: data.update(error="  "),
        lambda data: data.update(error=["抱歉"]),
        lambda data: data.update(greeting="你好"),
    ],
)
def test_a_missing_empty_or_unknown_key_fails(
    tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> None:
    data: dict[str, Any] = dict(TEXTS)
    change(data)
    path = tmp_path / "channel_wording.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(WordingError):
        channel_wording(path)


def test_a_file_that_is_not_a_mapping_fails(tmp_path: Path) -> None:
    path = tmp_path / "channel_wording.yml"
    path.write_text("- 你好\n", encoding="utf-8")
    with pytest.raises(WordingError, match="mapping"):
        channel_wording(path)
