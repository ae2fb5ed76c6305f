"""A local fake of WeChat's access-token and customer-service message API.

A stdlib ``ThreadingHTTPServer`` on a free port implementing
``GET /cgi-bin/token?grant_type=client_credential&appid=...&secret=...`` and
``POST /cgi-bin/message/custom/send?access_token=...``. It records accepted and refused
messages; ``refuse_errcode`` (e.g. 45015, "out of the 48-hour window") makes it refuse and
``delay_s`` makes it answer every request that much later.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ERRMSGS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    45015: "response out of time limit or subscription is canceled",
    48001: "api unauthorized",
}


class FakeWeChatAPI:
    """State of the fake: credentials, issued tokens and the messages it saw."""

    def __init__(self, app_id: str = "wx0123456789abcdef", app_secret: str = "s3cret") -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.refuse_errcode: int | None = None
        self.delay_s = 0.0
        self.token_requests = 0
        self.tokens: set[str] = set()
        self.sent: list[dict[str, Any]] = []  # accepted message bodies
        self.refused: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self._changed = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def wait_for(self, what: str, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """Wait until ``self.sent`` (or ``self.refused``) holds ``count`` messages."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while len(getattr(self, what)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"fake WeChat: {what} has {getattr(self, what)}")
                self._changed.wait(left)
            return list(getattr(self, what))

    # --- request handling (called from the server's threads) ---------------------------

    def token(self, query: dict[str, str]) -> dict[str, Any]:
        time.sleep(self.delay_s)  # in this request's own thread
        with self._changed:
            self.token_requests += 1
            if query.get("grant_type") != "client_credential":
                return {"errcode": 40002, "errmsg": "invalid grant_type"}
            if (query.get("appid"), query.get("secret")) != (self.app_id, self.app_secret):
                return {"errcode": 40013, "errmsg": ERRMSGS[40013]}
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return {"access_token": token, "expires_in": 7200}

    def send(self, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        time.sleep(self.delay_s)
        with self._changed:
            self.raw_bodies.append(raw)
            if query.get("access_token") not in self.tokens:
                return {"errcode": 40001, "errmsg": ERRMSGS[40001]}
            try:
                body = json.loads(raw.decode("utf-8"))
                assert body["msgtype"] == "text" and body["touser"]
                assert isinstance(body["text"]["content"], str)
            except (ValueError, KeyError, TypeError, AssertionError):
                return {"errcode": 44002, "errmsg": "invalid message body"}
            if self.refuse_errcode:
                self.refused.append(body)
                self._changed.notify_all()
                errcode = self.refuse_errcode
                return {"errcode": errcode, "errmsg": ERRMSGS.get(errcode, "refused")}
            self.sent.append(body)
            self._changed.notify_all()
            return {"errcode": 0, "errmsg": "ok"}

    @contextmanager
    def running(self) -> Iterator[FakeWeChatAPI]:
        """Serve on 127.0.0.1 and a free port for the duration of the block."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, data: dict[str, Any]) -> None:
                raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; encoding=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _query(self) -> tuple[str, dict[str, str]]:
                url = urlsplit(self.path)
                return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}

            def do_GET(self) -> None:
                path, query = self._query()
                if path != "/cgi-bin/token":
                    self.send_error(404)
                    return
                self._reply(fake.token(query))

            def do_POST(self) -> None:
                path, query = self._query()
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if path != "/cgi-bin/message/custom/send":
                    self.send_error(404)
                    return
                self._reply(fake.send(query, raw))

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)
