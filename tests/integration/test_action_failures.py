"""The action server's guards, and what the user hears when it cannot answer (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from bot.settings import PROJECT_ROOT
from bot.stack import Stack, free_port, wait_until_ok

pytestmark = pytest.mark.integration
Say = Callable[[str, str], list[dict[str, Any]]]
Responses = dict[str, list[dict[str, Any]]]
TOKEN = "action-server-test-" + uuid.uuid4().hex
PHONE = "13912345678"


@pytest.fixture(scope="module")
def action_server() -> Iterator[str]:
    """Our action server (actions/server.py) alone, on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "ACTION_SERVER_TOKEN": TOKEN,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    cmd = [sys.executable, "-m", "actions.server", "--host", "127.0.0.1", "--port", str(port)]
    popen = subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_ok(url + "/health", popen, 120, "the action server")
    yield url
    popen.terminate()
    output, _ = popen.communicate(timeout=30)
    # Nothing the user typed reaches the action server's log.
    assert PHONE not in output.decode(errors="replace")


def call(url: str, body: Any, token: str | None = TOKEN) -> requests.Response:
    headers = {"X-Action-Token": token} if token is not None else {}
    return requests.post(url + "/webhook", json=body, headers=headers, timeout=30)


def test_only_rasa_may_call_it_and_a_failing_action_echoes_nothing(action_server: str) -> None:
    assert requests.get(action_server + "/health", timeout=5).status_code == 200
    body = {
        "next_action": "action_request_human",
        "sender_id": "someone",
        # Not a tracker rasa-sdk can read: running the action raises.
        "tracker": [{"event": "user", "text": f"我的电话{PHONE}"}],
        "domain": {},
        "version": "3.6.2",
    }
    assert call(action_server, body, token=None).status_code == 401
    assert call(action_server, body, token="wrong").status_code == 401
    failed = call(action_server, body)
    assert failed.status_code == 500
    assert failed.json() == {"error": "custom action failed", "action_name": "action_request_human"}
    assert PHONE not in failed.text
    # No CORS for browsers.
    preflight = requests.options(
        action_server + "/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") in (None, "")


def test_the_user_hears_an_apology_while_the_action_server_is_down(
    stack: Stack, say: Say, responses: Responses
) -> None:
    apology = responses["utter_action_failed"][0]["text"]
    user = "actions-down-" + uuid.uuid4().hex[:8]
    stack.stop_one("action server")
    try:
        replies = say(user, "人才金卡能提供哪些服务")
        assert [r.get("text") for r in replies] == [apology]
        assert "12345" in apology
    finally:
        stack.start_one("action server")
    # Back: the same conversation goes on and the question is answered.
    answered = say(user, "人才金卡能提供哪些服务")
    assert answered[0]["text"].endswith("第二十九条）")
