"""Limits of the public chat channels (bot/rasa_ext/channels/limits.py): buttons per message and
messages per WeChat user (the widget's limits are tested over the real Rasa server in
tests/integration/test_input_limits.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xmltodict
import yaml

from bot.appeals.fields import FieldConfigError, parse_field_config
from bot.input_guard import MAX_BUTTONS
from bot.limits.rate import RateLimiter
from bot.rasa_ext.channels.limits import capped_buttons
from bot.rasa_ext.channels.wechat.render import render_turn
from bot.rasa_ext.channels.wording import channel_wording
from bot.settings import PROJECT_ROOT
from tests.bot.rasa_ext.channels.wechat.harness import (  # noqa: F401 - fixtures used by name
    Harness,
    answer_to,
    fake_api,
    make_harness,
    reply_text,
    text_xml,
)


def buttons(count: int) -> list[dict[str, str]]:
    return [{"title": f"选项{i}", "payload": f"/choice{i}"} for i in range(count)]


def test_bot_messages_keep_at_most_max_buttons() -> None:
    many = {"text": "请选择", "buttons": buttons(MAX_BUTTONS + 5), "quick_replies": buttons(3)}
    capped = capped_buttons(many)
    assert capped["buttons"] == buttons(MAX_BUTTONS) and capped["quick_replies"] == buttons(3)
    assert len(many["buttons"]) == MAX_BUTTONS + 5  # the original is not changed
    few = {"text": "请选择", "buttons": buttons(2)}
    assert capped_buttons(few) is few


def test_wechat_numbers_at_most_max_buttons_in_one_turn() -> None:
    turn = [{"text": "一", "buttons": buttons(10)}, {"text": "二", "buttons": buttons(10)}]
    text, options = render_turn(turn)
    assert len(options) == MAX_BUTTONS
    assert f"{MAX_BUTTONS}. " in text and f"{MAX_BUTTONS + 1}. " not in text


def test_configured_lists_longer_than_max_buttons_are_refused(tmp_path: Path) -> None:
    path = PROJECT_ROOT / "config" / "appeal_fields.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(data["towns"]) <= MAX_BUTTONS and len(data["categories"]) <= MAX_BUTTONS
    data["towns"] = data["towns"] + [f"新镇{i}" for i in range(MAX_BUTTONS)]
    with pytest.raises(FieldConfigError, match="towns: at most"):
        parse_field_config(data, tmp_path / "appeal_fields.yml")


def passive_reply(resp: Any) -> tuple[str, str]:
    doc = xmltodict.parse(resp.text)["xml"]
    return str(doc["ToUserName"]), str(doc["Content"])


def test_a_flooding_wechat_user_is_asked_to_slow_down_and_others_are_answered(
    make_harness: Callable[..., Harness],  # noqa: F811 - the fixture imported above
) -> None:
    now = [1000.0]
    harness = make_harness(limiter=RateLimiter(1, 3, clock=lambda: now[0]))
    answered = [reply_text(harness.say(f"问题{i}", 7000 + i)) for i in range(3)]
    assert answered == [answer_to(f"问题{i}") for i in range(3)]
    assert reply_text(harness.say("第四个问题", 7003)) == channel_wording().slow_down
    # WeChat's retry of a handled message is no new message: it gets its answer again.
    assert reply_text(harness.say("问题0", 7000)) == answer_to("问题0")
    # Another user is answered meanwhile.
    params = {**harness.query(), "openid": "oJd0Yt-user-0002"}
    other = harness.post(text_xml("别的问题", 7100, openid="oJd0Yt-user-0002"), params=params)
    assert passive_reply(other) == ("oJd0Yt-user-0002", answer_to("别的问题"))
    assert "第四个问题" not in harness.bot.texts
    now[0] += 61  # a minute later one more message is allowed
    assert reply_text(harness.say("第五个问题", 7004)) == answer_to("第五个问题")
