"""The prod profile with real servers: PostgreSQL, Redis, two Rasa processes, two action
servers, two service workers and nginx (TLS) in front — chosen by settings only.
"""

from __future__ import annotations

import queue
import random
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from bot.appeals.service.backend import open_backend
from bot.servicedb.tokens import Actor
from bot.settings import Settings, get_settings
from bot.stack import Stack, port_is_free
from tests.bot.appeals.service.conftest import body
from tests.integration.conftest import running_stack
from tests.support.postgres import PostgresServer, postgres_server
from tests.support.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.integration
REPLY_TIMEOUT_S = 120
CONVERSATIONS = 50
TURNS = ["你好", "人才金卡能提供哪些服务", "小规模纳税人增值税有减免吗", "谢谢"]


def free_port_run(count: int, host: str = "127.0.0.1") -> int:
    """Return the first of ``count`` consecutive free ports."""
    for _ in range(200):
        base = random.randint(20_000, 60_000)
        if all(port_is_free(host, base + i) for i in range(count)):
            return base
    raise RuntimeError("no run of free ports")


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(scope="module")
def prod(
    tmp_path_factory: pytest.TempPathFactory, pg: PostgresServer, redis: RedisServer
) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("prod")
    base = get_settings()
    settings = Settings(
        profile="prod",
        rasa_processes=2,
        action_processes=2,
        service_workers=2,
        rasa_auth_token="prod-" + uuid.uuid4().hex,
        internal_token="prod-internal-" + uuid.uuid4().hex,
        action_server_token="prod-actions-" + uuid.uuid4().hex,
        model_path=base.model_path,
        tracker_db=tmp / "unused-tracker.db",
        database_url=pg.database(),
        tracker_url=pg.database(),
        redis_url=redis.url,
        outbox_path=tmp / "outbox.db",
        rasa_port=free_port_run(2),
        action_port=free_port_run(2),
        service_port=free_port_run(1),
        nginx_http_port=free_port_run(1),
        nginx_https_port=free_port_run(1),
        tls_dir=tmp / "tls",
        nginx_dir=tmp / "nginx",
        nginx_bind="127.0.0.1",
        supervise_interval_s=0,
    )
    with running_stack(settings, tmp / "logs") as running:
        yield running


def rasa_urls(stack: Stack) -> list[str]:
    return stack.settings.rasa_urls


def say(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    reply = requests.post(
        url + "/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=REPLY_TIMEOUT_S,
    )
    reply.raise_for_status()
    return list(reply.json())


def events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    url = rasa_urls(stack)[-1] + f"/conversations/{sender}/tracker"
    tracker = requests.get(url, params={"token": stack.settings.rasa_auth_token}, timeout=30)
    tracker.raise_for_status()
    return [e for e in tracker.json()["events"] if e["event"] in ("user", "bot")]


def turns_of(conversation: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(user text, number of bot messages after it) for each user message, in order."""
    turns: list[tuple[str, int]] = []
    for event in conversation:
        if event["event"] == "user":
            turns.append((event["text"], 0))
        elif turns:
            text, count = turns[-1]
            turns[-1] = (text, count + 1)
    return turns


def test_fifty_conversations_alternate_between_two_rasa_processes(prod: Stack) -> None:
    urls = rasa_urls(prod)
    assert len(urls) == 2

    def converse(index: int) -> tuple[str, list[tuple[str, int]]]:
        sender = f"prod-{index}-{uuid.uuid4().hex[:8]}"
        expected = []
        for turn, text in enumerate(TURNS):
            replies = say(urls[(index + turn) % 2], sender, text)
            assert replies, f"{sender}: no answer to {text!r}"
            expected.append((text, len(replies)))
        return sender, expected

    with ThreadPoolExecutor(CONVERSATIONS) as pool:
        results = list(pool.map(converse, range(CONVERSATIONS)))
    for sender, expected in results:
        # Complete and in order: every message once, each followed by exactly its answers.
        assert turns_of(events(prod, sender)) == expected


def test_two_messages_of_one_conversation_at_once_on_both_processes(prod: Stack) -> None:
    # Ten conversations, each getting two messages at the same moment on the two processes:
    # both handled, one after the other, none lost (bot/rasa_ext/stores/lock_store.py).
    urls = rasa_urls(prod)
    for _ in range(10):
        sender = "burst-" + uuid.uuid4().hex[:8]
        say(urls[0], sender, "你好")
        start = threading.Barrier(2)

        def send(i: int, sender: str = sender, start: threading.Barrier = start) -> int:
            start.wait()
            return len(say(urls[i], sender, ["谢谢", "你是机器人吗"][i]))

        with ThreadPoolExecutor(2) as pool:
            counts = list(pool.map(send, range(2)))
        turns = turns_of(events(prod, sender))
        assert [t for t, _ in turns[1:]] in (["谢谢", "你是机器人吗"], ["你是机器人吗", "谢谢"])
        assert sorted(n for _, n in turns[1:]) == sorted(counts)  # one answer each, none mixed


def test_two_hundred_concurrent_appeals_on_postgresql(prod: Stack) -> None:
    url = prod.url("service") + "/api/appeals"
    keys = [f"prod-key-{i:04d}-{uuid.uuid4().hex[:6]}" for i in range(100)]
    attempts = keys * 2  # every submission is retried with its key
    random.shuffle(attempts)

    def submit(key: str) -> tuple[str, str]:
        for _ in range(3):
            try:
                reply = requests.post(
                    url,
                    json=body(channel="web", description=f"厂区门口的路灯坏了，编号{key[-6:]}"),
                    headers={"Idempotency-Key": key},
                    timeout=60,
                )
            except requests.ConnectionError:
                continue
            assert reply.status_code in (200, 201), reply.text
            return key, str(reply.json()["tracking_no"])
        raise AssertionError(f"{key}: service unreachable")

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(submit, attempts))
    by_key: dict[str, set[str]] = {}
    for key, number in results:
        by_key.setdefault(key, set()).add(number)
    assert all(len(numbers) == 1 for numbers in by_key.values())
    numbers = [next(iter(n)) for n in by_key.values()]
    assert len(set(numbers)) == len(keys)
    backend = open_backend(prod.settings.database_url, run_migrations=False)
    try:
        stored = {a["tracking_no"] for a in backend.appeals.list_appeals(Actor("qjw"))}
    finally:
        backend.engine.dispose()
    assert set(numbers) <= stored


def test_a_message_reaches_a_widget_connected_to_the_other_process(prod: Stack) -> None:
    first, second = rasa_urls(prod)
    replies: queue.Queue[dict[str, Any]] = queue.Queue()
    confirmed: queue.Queue[str] = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", replies.put)
    client.on("session_confirm", confirmed.put)
    client.connect(first, transports=["websocket"], wait_timeout=20)
    session = uuid.uuid4().hex
    try:
        client.emit("session_request", {"session_id": session})
        assert confirmed.get(timeout=30) == session
        client.emit("user_uttered", {"message": "你好", "session_id": session})
        assert "嘉定企业服务助手" in replies.get(timeout=REPLY_TIMEOUT_S)["text"]
        # An agent's reply sent through the *other* Rasa process reaches this socket.
        text = "您好，我是区经委的工作人员。"
        sent = requests.post(
            f"{second}/conversations/{session}/tracker/events",
            params={
                "token": prod.settings.rasa_auth_token,
                "output_channel": "latest",
                "execute_side_effects": "true",
            },
            json=[{"event": "bot", "text": text, "metadata": {"from": "agent"}}],
            timeout=30,
        )
        sent.raise_for_status()
        assert replies.get(timeout=30) == {"text": text, "from": "agent"}
    finally:
        client.disconnect()


def test_nginx_terminates_tls_and_balances(prod: Stack) -> None:
    https = f"https://localhost:{prod.settings.nginx_https_port}"
    cert = str(Path(prod.settings.tls_dir) / "cert.pem")
    assert requests.get(https + "/healthz", verify=cert, timeout=10).json() == {"status": "ok"}
    # Rasa's API through nginx (the token guards it); the REST channel is not published.
    status = requests.get(
        https + "/rasa/status",
        params={"token": prod.settings.rasa_auth_token},
        verify=cert,
        timeout=30,
    )
    assert status.status_code == 200 and "model_file" in status.json()
    rest = requests.post(https + "/webhooks/rest/webhook", json={}, verify=cert, timeout=30)
    assert rest.status_code == 404
    plain = requests.get(
        f"http://localhost:{prod.settings.nginx_http_port}/console",
        allow_redirects=False,
        timeout=10,
    )
    assert plain.status_code in (301, 308) and plain.headers["Location"].startswith("https://")
