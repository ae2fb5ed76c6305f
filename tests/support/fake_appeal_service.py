"""A local stand-in for the service's appeal API, for the client and outbox tests.

A stdlib ``ThreadingHTTPServer`` on a free port. ``POST /api/appeals`` is idempotent per
``Idempotency-Key`` like the real one; ``mode`` makes it slow (``"slow"``), fail (``"500"``)
or refuse (``"422"``, echoing the phone number as a careless service might). Answers put in
``script`` are served first, to any method and path, one per request. Every request is
recorded in ``seen`` (method, path with query, headers, body). The port survives
``stop()``/``start()``, so a "restart" keeps the URL.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Scripted:
    """One canned answer: status, JSON payload (or raw text) and a delay before it."""

    status: int
    payload: Any = None
    delay_s: float = 0.0
    raw: str | None = None


class FakeAppealService:
    """A tiny stand-in for POST /api/appeals, idempotent per Idempotency-Key."""

    def __init__(self) -> None:
        self.mode = "up"  # "up" | "slow" | "500" | "422"
        self.slow_s = 1.0
        self.latency_s = 0.0
        self.lock = threading.Lock()
        self.appeals: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.posts: Counter[str] = Counter()
        self.created = 0
        self.script: list[Scripted] = []
        self.seen: list[Seen] = []
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake.handle(self)

            def do_GET(self) -> None:
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Go down: stop serving and close the port (the state survives a restart)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def reset_counts(self) -> None:
        with self.lock:
            self.posts.clear()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with self.lock:
            self.seen.append(Seen(request.command, request.path, dict(request.headers), body))
            scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            time.sleep(scripted.delay_s)
            self.reply(request, scripted.status, scripted.payload, scripted.raw)
            return
        if request.command != "POST" or request.path != "/api/appeals":
            self.reply(request, 404, {"detail": "没有找到"})
            return
        key = request.headers.get("Idempotency-Key") or ""
        mode = self.mode
        if mode == "500":
            self.reply(request, 500, {"detail": "internal error"})
            return
        if mode == "422":
            # Echo the phone number, as a careless service might: logs must mask it.
            self.reply(request, 422, {"detail": f"phone {body.get('phone')} is not valid"})
            return
        if mode == "slow":
            time.sleep(self.slow_s)
        if self.latency_s:
            time.sleep(self.latency_s)
        with self.lock:
            self.posts[key] += 1
            if key in self.appeals:
                stored_body, response = self.appeals[key]
                if stored_body != body:
                    self.reply(request, 422, {"detail": "key used for another appeal"})
                    return
            else:
                self.created += 1
                response = {
                    "tracking_no": f"JD-20261127-{self.created:04d}",
                    "status": "submitted",
                    "proposed_department": "区发改委",
                    "contact_due_at": "2026-11-28T17:00:00+08:00",
                    "due_at": "2026-12-11T17:00:00+08:00",
                }
                self.appeals[key] = (body, response)
        self.reply(request, 201, response)

    @staticmethod
    def reply(
        request: BaseHTTPRequestHandler, code: int, payload: Any, raw: str | None = None
    ) -> None:
        data = (raw if raw is not None else json.dumps(payload, ensure_ascii=False)).encode()
        try:
            request.send_response(code)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout)
