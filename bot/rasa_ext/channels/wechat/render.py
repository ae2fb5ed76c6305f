"""A turn as WeChat shows it: one text, buttons as numbered options a digit answers.

A user answers a numbered option by sending just its number; the number stands for the
latest message's buttons only, for ``options_ttl_s``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from wechatpy.replies import create_reply

from bot.input_guard import MAX_BUTTONS
from bot.rasa_ext.channels.limits import capped_buttons
from bot.rasa_ext.channels.wechat.cache import MAX_TRACKED, TTLCache
from bot.rasa_ext.channels.wording import channel_wording


def render_turn(messages: Iterable[dict[str, Any]]) -> tuple[str, list[str]]:
    """Return the turn's one WeChat text and the payloads of its numbered options.

    Texts are joined with blank lines; buttons become numbered lines under the options
    header (``options_header`` in config/channel_wording.yml); ``custom`` messages (our
    policy payloads) are left out, the text carries the citation. At most ``MAX_BUTTONS``
    options in all.
    """
    parts: list[str] = []
    options: list[tuple[str, str]] = []
    for message in messages:
        for key in ("text", "image", "attachment"):
            value = message.get(key)
            if value:
                parts.append(str(value).strip())
        for button in capped_buttons(message).get("buttons") or []:
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or title).strip()
            if title and payload:
                options.append((title, payload))
    del options[MAX_BUTTONS:]  # several messages of one turn share the numbers
    if options:
        lines = [f"{number}. {title}" for number, (title, _) in enumerate(options, 1)]
        parts.append("\n".join([channel_wording().options_header, *lines]))
    return "\n\n".join(part for part in parts if part), [payload for _, payload in options]


def chosen_option(text: str, options: list[str]) -> str | None:
    """Return the payload of option ``text`` when the text is just its number, else None."""
    number = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
    if number.isdigit() and 1 <= int(number) <= len(options):
        return options[int(number) - 1]
    return None


def escape_cdata(text: str) -> str:
    """Return ``text`` safe inside a CDATA section (``]]>`` split across two sections)."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def reply_xml(reply: str, message: Any) -> str:
    """Return the passive reply's XML: ``reply`` as a text answer to ``message``."""
    return str(create_reply(escape_cdata(reply), message).render())


class NumberedOptions:
    """The payloads each user's digits stand for: the latest message's buttons."""

    def __init__(self, ttl_s: float) -> None:
        """Forget a user's options ``ttl_s`` after they were shown."""
        self._options: TTLCache[str, list[str]] = TTLCache(ttl_s, MAX_TRACKED)

    def remember(self, openid: str, options: list[str]) -> None:
        """Let a digit in the user's next message stand for one of ``options``.

        No options forget the earlier ones: a digit answers only the latest message (a "1"
        typed to an agent after a message without buttons stays a "1").
        """
        if options:
            self._options.put(openid, options)
        else:
            self._options.pop(openid)

    def take(self, openid: str) -> list[str]:
        """Return the user's options and forget them (one message uses them up)."""
        return self._options.pop(openid) or []
