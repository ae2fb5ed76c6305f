"""A throwaway Redis server for tests: Debian's redis-server, no persistence, a free port.

It runs in the foreground of a temporary directory, bound to 127.0.0.1, and is stopped and
its directory removed afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.stack import free_port
from tests.support.servers import stop, wait_until_ready

START_TIMEOUT_S = 20
# A port found free may be taken before redis-server binds it: try a few.
START_ATTEMPTS = 3


@dataclass(frozen=True)
class RedisServer:
    """A running redis-server; ``url`` points at database 0."""

    host: str
    port: int
    root: Path

    @property
    def url(self) -> str:
        """Return the redis:// URL of database 0."""
        return f"redis://{self.host}:{self.port}/0"


def redis_server_bin() -> str | None:
    """Return the path of redis-server, or None when it is not installed."""
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


def _log_tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return ""


def _answers_ping(server: RedisServer) -> bool:
    import redis

    try:
        client = redis.Redis(host=server.host, port=server.port, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.exceptions.RedisError:
        return False


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """Start a temporary redis-server on 127.0.0.1; stop it and remove its files afterwards."""
    binary = redis_server_bin()
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed: `make test` installs it (scripts/test-servers.sh)"
        )
    root = Path(tempfile.mkdtemp(prefix="redis-"))
    log = root / "redis.log"
    try:
        for attempt in range(START_ATTEMPTS):
            server = RedisServer(host="127.0.0.1", port=free_port(), root=root)
            command = [
                binary,
                "--bind",
                server.host,
                "--port",
                str(server.port),
                "--dir",
                str(root),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
                "--logfile",
                str(log),
            ]
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            try:
                # False: redis-server exited first (the port was taken, say): try another.
                if wait_until_ready(
                    process,
                    partial(_answers_ping, server),
                    START_TIMEOUT_S,
                    lambda: f"redis-server did not answer PING:\n{_log_tail(log)}",
                ):
                    yield server
                    return
            finally:
                stop(process)  # SIGTERM: no save points, so nothing is written
            if attempt == START_ATTEMPTS - 1:
                raise RuntimeError(
                    f"redis-server exited with {process.returncode}:\n{_log_tail(log)}"
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
