from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.handoff.rasa_api import RasaClient, RasaUnavailable
from bot.stack import free_port


@pytest.fixture
def rasa_stand_in() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP server answering like Rasa's tracker endpoints; records the requests."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            seen.append({"method": "GET", "path": self.path})
            if "token=secret" not in self.path:
                self._answer(401, {"message": "unauthorised"})
                return
            self._answer(200, {"events": [{"event": "user", "text": "你好"}]})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            seen.append({"method": "POST", "path": self.path, "body": self.rfile.read(length)})
            self._answer(200, {})

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_a_server_that_cannot_be_reached_is_skipped(
    rasa_stand_in: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = rasa_stand_in
    down = f"http://127.0.0.1:{free_port()}"
    client = RasaClient([down, url], "secret", timeout_s=5)
    assert client.events("user/1") == [{"event": "user", "text": "你好"}]
    client.append("user/1", [{"event": "pause"}])
    assert seen[0]["path"].startswith("/conversations/user%2F1/tracker?")
    post = seen[1]
    assert "output_channel=latest" in post["path"] and "execute_side_effects=true" in post["path"]
    assert json.loads(post["body"]) == [{"event": "pause"}]


def test_a_refusal_is_not_retried_elsewhere_and_nothing_reachable_fails(
    rasa_stand_in: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = rasa_stand_in
    with pytest.raises(RasaUnavailable, match="HTTP 401"):
        RasaClient([url, url], "wrong", timeout_s=5).events("u")
    assert len(seen) == 1
    with pytest.raises(RasaUnavailable):
        RasaClient([f"http://127.0.0.1:{free_port()}"], "secret", timeout_s=5).events("u")
