"""The widget's socket.io channel in process (a real Sanic server, a fake bot): sessions tied
to sockets, limits per client address, message size. Over the real Rasa server:
tests/integration/test_socketio.py and test_input_limits.py."""

from __future__ import annotations

import queue
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from bot.rasa_ext.channels.limits import CLIENT_FACTOR
from bot.rasa_ext.channels.socketio import ProjectSocketIOInput, ProjectSocketIOOutput
from bot.rasa_ext.channels.wording import channel_wording
from bot.settings import Settings
from tests.bot.rasa_ext.channels.wechat.harness import FakeBot, Harness, answer_to

BURST = 2
WAIT_S = 10


def first_part(text: str) -> str:
    """The socket.io output sends a text's paragraphs as separate messages: the first one."""
    return answer_to(text).split("\n\n")[0]


@pytest.fixture
def widget(monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    limits = Settings(rate_limit_burst=BURST, rate_limit_per_minute=0.06, max_body_bytes=4096)
    monkeypatch.setattr("bot.rasa_ext.channels.socketio.get_settings", lambda: limits)
    monkeypatch.setattr("bot.rasa_ext.channels.limits.get_settings", lambda: limits)
    harness = Harness(ProjectSocketIOInput(session_persistence=True), FakeBot()).start()
    yield harness
    harness.stop()


class Client:
    """One widget connection: its confirmations and the bot's messages, in queues."""

    def __init__(self, harness: Harness, address: str | None = None, **connect: Any) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.confirmed: queue.Queue[str] = queue.Queue()
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.sio.on("session_confirm", self.confirmed.put)
        self.sio.on("bot_uttered", self.replies.put)
        base = harness.url.split("/webhooks/")[0]
        headers = {"X-Forwarded-For": address} if address else {}
        self.sio.connect(base, headers=headers, wait_timeout=10, **connect)

    def session(self, requested: str | None = None) -> str:
        self.sio.emit("session_request", {"session_id": requested})
        return self.confirmed.get(timeout=WAIT_S)

    def say(self, text: str) -> None:
        self.sio.emit("user_uttered", {"message": text})

    def texts(self, wait_s: float = 1.0) -> list[str]:
        found: list[str] = []
        while True:
            try:
                found.append(str(self.replies.get(timeout=wait_s).get("text") or ""))
            except queue.Empty:
                return found

    def close(self) -> None:
        self.sio.disconnect()


def test_a_first_message_without_a_session_gets_one_and_is_answered(widget: Harness) -> None:
    client = Client(widget, transports=["websocket"])
    try:
        client.say("早到的问题")  # typed before the widget asked for its session
        issued = client.confirmed.get(timeout=WAIT_S)
        assert re.fullmatch(r"[0-9a-f]{32}", issued)
        assert client.texts()[0] == first_part("早到的问题")
        assert widget.bot.received[-1].sender_id == issued
        # The widget's own request, still without an id, keeps that session.
        assert client.session(None) == issued
    finally:
        client.close()


def test_a_socket_moving_to_another_session_stops_hearing_the_old_one(widget: Harness) -> None:
    client = Client(widget, transports=["websocket"])
    try:
        first = client.session(uuid.uuid4().hex)
        second = client.session(uuid.uuid4().hex)
        assert first != second
        output = ProjectSocketIOOutput(widget.channel.sio, "bot_uttered")
        widget.run(output.send_text_message(first, "发给旧会话"))
        widget.run(output.send_text_message(second, "发给新会话"))
        assert client.texts() == ["发给新会话"]
    finally:
        client.close()


def test_fresh_sessions_from_one_address_share_its_budget(widget: Harness) -> None:
    per_address = BURST * CLIENT_FACTOR
    clients = [Client(widget, "203.0.113.7", transports=["websocket"]) for _ in range(11)]
    other = Client(widget, "198.51.100.9", transports=["websocket"])
    try:
        texts: list[str] = []
        for number, client in enumerate(clients):
            client.session()
            for turn in range(BURST):  # within each session's own limit
                client.say(f"问题{number}-{turn}")
                texts += client.texts(wait_s=0.5)[:1]
        assert texts.count(channel_wording().slow_down) == len(clients) * BURST - per_address
        other.session()
        other.say("另一个地址的问题")
        assert other.texts()[0] == first_part("另一个地址的问题")
    finally:
        for client in [*clients, other]:
            client.close()


def test_connections_from_one_address_are_limited(widget: Harness) -> None:
    opened = []
    try:
        for _ in range(BURST * CLIENT_FACTOR):
            opened.append(Client(widget, "203.0.113.8", transports=["websocket"]))
        with pytest.raises(socketio.exceptions.ConnectionError):
            opened.append(Client(widget, "203.0.113.8", transports=["websocket"]))
        opened.append(Client(widget, "198.51.100.10", transports=["websocket"]))  # another: fine
    finally:
        for client in opened:
            client.close()


def test_a_message_over_the_size_limit_is_not_handled(widget: Harness) -> None:
    # 2,000 Chinese characters: 6,000 bytes, past the 4,096 set here. Either engine.io refuses
    # the frame (and closes that connection) or the channel drops the text: never handled.
    client = Client(widget, transports=["websocket"])
    try:
        client.session()
        client.say("长" * 2000)
        assert client.texts() == []
    finally:
        client.close()
    assert all("长长" not in (m.text or "") for m in widget.bot.received)
    again = Client(widget, transports=["websocket"])
    try:
        again.session()
        again.say("短问题")
        assert again.texts()[0] == first_part("短问题")
    finally:
        again.close()
