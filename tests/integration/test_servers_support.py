"""The test servers of tests/support: Redis, and nginx (our template) in front of stand-ins."""

from __future__ import annotations

import json
import os
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from bot.deploy.nginx import placeholders, render_config
from tests.support.nginx_server import NginxServer, nginx_server
from tests.support.redis_server import redis_server

pytestmark = pytest.mark.integration


# --- Redis ---------------------------------------------------------------------------------


def test_redis_server_stores_and_forgets() -> None:
    with redis_server() as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        assert server.host == "127.0.0.1"
        client = redis.Redis.from_url(server.url)
        try:
            assert client.set("greeting", "你好") is True
            assert client.get("greeting") == "你好".encode()
            assert client.config_get("save") == {"save": ""}
            assert client.config_get("appendonly") == {"appendonly": "no"}
        finally:
            client.close()
        root = server.root
    assert not root.exists()
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis.from_url(server.url, socket_connect_timeout=1).ping()


# --- nginx in front of stand-ins -------------------------------------------------------------


@dataclass
class StandIn:
    """A small threaded HTTP server that answers with what it received, as JSON."""

    name: str
    server: ThreadingHTTPServer
    thread: threading.Thread
    paths: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


def start_stand_in(name: str) -> StandIn:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as nginx's upstream keepalive expects

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without this, Nagle's algorithm and
            # nginx's delayed ACK hold every answer back for 40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            seen.append(self.path)
            if self.headers.get("Upgrade", "").lower() == "websocket":
                self._tunnel()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body_len = len(self.rfile.read(length)) if length else 0
            payload = json.dumps(
                {
                    "name": name,
                    "method": self.command,
                    "path": self.path,
                    "body_len": body_len,
                    "headers": {key.lower(): value for key, value in self.headers.items()},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _tunnel(self) -> None:
            """Switch protocols, say who we are, then echo raw bytes back until EOF."""
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.end_headers()
            self.wfile.write(f"{name}\n".encode())
            self.wfile.flush()
            while data := self.connection.recv(4096):
                self.connection.sendall(data)
            self.close_connection = True

        do_GET = _answer
        do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return StandIn(name, server, thread, seen)


@pytest.fixture(scope="module")
def proxied(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[NginxServer, list[StandIn]]]:
    """nginx from our template in front of two Rasa stand-ins and one service stand-in."""
    stand_ins = [start_stand_in("rasa-1"), start_stand_in("rasa-2"), start_stand_in("service")]
    try:
        rasa_ports = [stand_ins[0].port, stand_ins[1].port]
        with nginx_server(rasa_ports, [stand_ins[2].port], tmp_path_factory.mktemp("nginx")) as nx:
            yield nx, stand_ins
    finally:
        for stand_in in stand_ins:
            stand_in.server.shutdown()
            stand_in.server.server_close()


def get(nx: NginxServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(nx.https_url + path, verify=str(nx.cert_path), timeout=10, **kwargs)


def post(nx: NginxServer, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(nx.https_url + path, verify=str(nx.cert_path), timeout=10, **kwargs)


def test_template_renders_only_its_own_placeholders(tmp_path: Path) -> None:
    assert placeholders() == {
        "BIND",
        "HTTP_PORT",
        "HTTPS_PORT",
        "CERT",
        "KEY",
        "RASA_SERVERS",
        "SERVICE_SERVERS",
        "NGINX_USER",
    }
    with pytest.raises(KeyError):
        render_config({"HTTP_PORT": 80})
    text = render_config(dict.fromkeys(placeholders(), "X"))
    assert "$host" in text and "$arg_openid" in text and "${" not in text


def test_service_paths_reach_the_service(proxied: tuple[NginxServer, list[StandIn]]) -> None:
    nx, _ = proxied
    for path in ("/healthz", "/", "/api/appeals?x=1", "/console", "/static/app.js", "/docs"):
        answer = get(nx, path).json()
        assert answer["name"] == "service"
        assert answer["path"] == path
    headers = get(nx, "/healthz").json()["headers"]
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["host"] == "127.0.0.1"


def test_rasa_prefix_is_stripped_and_balanced(proxied: tuple[NginxServer, list[StandIn]]) -> None:
    nx, _ = proxied
    answer = get(nx, "/rasa/status").json()
    assert answer["name"].startswith("rasa-")
    assert answer["path"] == "/status"
    names = Counter(get(nx, "/rasa/version?token=t").json()["name"] for _ in range(10))
    assert set(names) == {"rasa-1", "rasa-2"}
    assert names["rasa-1"] == names["rasa-2"] == 5  # round robin
    answer = post(nx, "/rasa/conversations/abc/messages", json={"text": "hi"}).json()
    assert answer["path"] == "/conversations/abc/messages"
    assert answer["method"] == "POST"


def test_webhooks_and_socketio_go_to_rasa(proxied: tuple[NginxServer, list[StandIn]]) -> None:
    nx, _ = proxied
    answer = post(nx, "/webhooks/socketio/", json={}).json()
    assert answer["name"].startswith("rasa-")
    assert answer["path"] == "/webhooks/socketio/"
    # The REST channel is internal: nginx does not publish it.
    rest = requests.post(
        nx.https_url + "/webhooks/rest/webhook", json={}, verify=str(nx.cert_path), timeout=10
    )
    assert rest.status_code == 404
    polled = {
        get(nx, f"/socket.io/?EIO=4&transport=polling&t={i}").json()["name"] for i in range(6)
    }
    assert len(polled) == 1  # ip_hash: one client address, one process


def test_wechat_sticks_to_one_process_per_openid(
    proxied: tuple[NginxServer, list[StandIn]],
) -> None:
    nx, _ = proxied
    chosen: dict[str, str] = {}
    for i in range(30):
        openid = f"o{i:04d}-wechat-user"
        names = {
            post(
                nx,
                f"/webhooks/wechat/webhook?signature=s&timestamp={n}&nonce=n&openid={openid}",
                data="<xml/>",
            ).json()["name"]
            for n in range(4)
        }
        assert len(names) == 1, openid
        chosen[openid] = names.pop()
    assert set(chosen.values()) == {"rasa-1", "rasa-2"}  # the openids are spread over both


def test_plain_http_redirects_except_the_wechat_webhook(
    proxied: tuple[NginxServer, list[StandIn]],
) -> None:
    nx, _ = proxied
    response = requests.get(nx.http_url + "/console?a=b", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{nx.https_url}/console?a=b"
    response = requests.get(nx.http_url + "/rasa/status", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    # Followed, the redirect lands on the service over HTTPS (requests keeps verify for it).
    followed = requests.get(nx.http_url + "/", verify=str(nx.cert_path), timeout=10)
    assert followed.url == f"{nx.https_url}/"
    assert followed.json()["name"] == "service"

    url = nx.http_url + "/webhooks/wechat/webhook?openid=o1&signature=s&timestamp=1&nonce=n"
    response = requests.post(url, data="<xml/>", allow_redirects=False, timeout=10)
    assert response.status_code == 200
    answer = response.json()
    assert answer["name"].startswith("rasa-")
    assert answer["path"] == "/webhooks/wechat/webhook?openid=o1&signature=s&timestamp=1&nonce=n"
    assert answer["headers"]["x-forwarded-proto"] == "http"
    assert requests.get(url, timeout=10).status_code == 200  # WeChat's GET verification too


def test_body_size_limit(proxied: tuple[NginxServer, list[StandIn]]) -> None:
    nx, _ = proxied
    # Bigger than nginx's in-memory body buffer: written to client_body_temp under the prefix.
    answer = post(nx, "/api/appeals", data=b"x" * 200_000).json()
    assert answer["body_len"] == 200_000
    assert post(nx, "/api/appeals", data=b"x" * 1_100_000).status_code == 413


def test_socketio_websocket_upgrade_is_tunnelled(
    proxied: tuple[NginxServer, list[StandIn]],
) -> None:
    nx, _ = proxied
    context = ssl.create_default_context(cafile=str(nx.cert_path))
    with (
        socket.create_connection(("127.0.0.1", nx.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            b"Host: localhost\r\n"
            b"Upgrade: websocket\r\n"
            b"Connection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        received = b""
        while b"\n" not in received.partition(b"\r\n\r\n")[2]:  # headers, then the greeting
            chunk = tls.recv(4096)
            assert chunk, received
            received += chunk
        head, _, greeting = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101")
        assert greeting.decode().strip().startswith("rasa-")
        tls.sendall(b"ping through the tunnel")
        echoed = b""
        while len(echoed) < len(b"ping through the tunnel"):
            chunk = tls.recv(4096)
            assert chunk
            echoed += chunk
        assert echoed == b"ping through the tunnel"


def test_nginx_stops_afterwards(tmp_path: Path) -> None:
    service = start_stand_in("service")
    try:
        with nginx_server([service.port], [service.port], tmp_path) as nx:
            assert get(nx, "/healthz").json()["name"] == "service"
            pid = int((nx.prefix / "nginx.pid").read_text())
        assert not (nx.prefix / "nginx.pid").exists()
        with pytest.raises(requests.ConnectionError):
            requests.get(nx.http_url + "/", timeout=2)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        service.server.shutdown()
        service.server.server_close()
