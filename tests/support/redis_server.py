"""A throwaway Redis server for tests: Debian's redis-server, no persistence, a free port.

It runs in the foreground of a temporary directory, bound to 127.0.0.1, and is stopped and
its directory removed afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.stack import free_port

START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10
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


def _wait_until_ready(process: subprocess.Popen[bytes], server: RedisServer, log: Path) -> bool:
    """Wait until PING answers; False if redis-server exited first (a port taken, say)."""
    import redis

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            return False
        try:
            client = redis.Redis(host=server.host, port=server.port, socket_timeout=1)
            try:
                if client.ping():
                    return True
            finally:
                client.close()
        except redis.exceptions.RedisError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis-server did not answer PING:\n{_log_tail(log)}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (no save points, so nothing is written), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


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
                if _wait_until_ready(process, server, log):
                    yield server
                    return
            finally:
                _stop(process)
            if attempt == START_ATTEMPTS - 1:
                raise RuntimeError(
                    f"redis-server exited with {process.returncode}:\n{_log_tail(log)}"
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
