"""Start, watch and stop the assistant's three processes (service, action server, Rasa).

``python -m bot.stack run`` is ``make run``; ``python -m bot.stack shell`` is ``make shell``.
Integration tests use :class:`Stack` to start the same processes on free ports.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

from bot.deploy import prod
from bot.deploy.processes import (
    Proc,
    action_cmd,
    child_env,
    prod_procs,
    rasa_cmd,
    service_cmd,
)
from bot.deploy.prod import PROD
from bot.servicedb.db import migrate
from bot.settings import PROJECT_ROOT, Settings, get_settings

READY_TIMEOUT_S = 240.0
STOP_TIMEOUT_S = 15.0


class StackError(RuntimeError):
    """A process could not start or stopped unexpectedly."""


def port_is_free(host: str, port: int) -> bool:
    """Tell whether ``port`` can be bound on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_until_ok(
    url: str, popen: subprocess.Popen[bytes] | None, timeout: float, what: str
) -> None:
    """Wait until ``url`` answers 200; raise StackError if ``popen`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if popen is not None and popen.poll() is not None:
            raise StackError(f"{what} exited with code {popen.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise StackError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.3)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port the OS reports free on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """The three processes of the assistant, started together and stopped together."""

    settings: Settings
    log_dir: Path | None = None  # None: children write to this terminal
    procs: list[Proc] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        try:
            s.check_secrets(required=("rasa_auth_token", "internal_token", "action_server_token"))
        except ValueError as exc:
            raise StackError(str(exc)) from exc
        if not s.model_path.exists():
            raise StackError(f"no trained model at {s.model_path}: run `make setup`")
        if s.profile == PROD:
            try:
                prod.check(s)
                self.procs = prod_procs(s)
            except prod.ProfileError as exc:
                raise StackError(str(exc)) from exc
        elif s.profile == "embedded":
            self.procs = [
                Proc("service", s.service_port, "SERVICE_PORT", service_cmd(s), "/healthz"),
                Proc("action server", s.action_port, "ACTION_PORT", action_cmd(s), "/health"),
                Proc("Rasa server", s.rasa_port, "RASA_PORT", rasa_cmd(s), "/"),
            ]
        else:
            raise StackError(f"unknown PROFILE {s.profile!r}: use embedded or prod")

    def url(self, name: str) -> str:
        """Return the base URL of the process called ``name``."""
        proc = next(p for p in self.procs if p.name == name)
        return f"http://{self.settings.host}:{proc.port}"

    def check_ports(self) -> None:
        """Refuse to start when a port is taken, naming the setting that moves it."""
        for proc in self.procs:
            if not port_is_free(self.settings.host, proc.port):
                raise StackError(
                    f"port {proc.port} ({proc.name}) is already in use on "
                    f"{self.settings.host}: stop what runs there (is `make run` already "
                    f"up?) or choose another port with {proc.port_setting}=..."
                )

    def start(self) -> None:
        """Start every process (ports checked first); a gate is waited for before the rest."""
        self.check_ports()
        self.settings.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        if self.settings.profile == PROD:
            migrate(self.settings.database_url)
        for proc in self.procs:
            self._spawn(proc)
            if proc.gate:
                self._wait_for(proc, READY_TIMEOUT_S)

    def _spawn(self, proc: Proc) -> None:
        if proc.prepare is not None:
            proc.prepare()
        out: IO[bytes] | None = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            slug = proc.name.replace(" ", "_").lower()
            out = open(self.log_dir / f"{slug}.log", "ab")  # noqa: SIM115 - closed in stop()
            self._logs.append(out)
        # Own session: Ctrl-C reaches only this supervisor, which stops children in order.
        proc.popen = subprocess.Popen(
            proc.cmd,
            cwd=PROJECT_ROOT,
            env={**child_env(self.settings), **proc.env},
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )

    def stop_one(self, name: str, *, crash: bool = False) -> None:
        """Stop one process (fault tests: the service down while the rest runs).

        ``crash``: SIGKILL at once, as a crash or a power cut would (no clean-up at all).
        """
        proc = next(p for p in self.procs if p.name == name)
        if proc.popen and proc.popen.poll() is None:
            os.killpg(proc.popen.pid, signal.SIGKILL if crash else signal.SIGTERM)
            try:
                proc.popen.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()

    def start_one(self, name: str, timeout: float = READY_TIMEOUT_S) -> None:
        """Start one stopped process again and wait until it answers."""
        proc = next(p for p in self.procs if p.name == name)
        self._spawn(proc)
        self._wait_for(proc, timeout)

    def _wait_for(self, proc: Proc, timeout: float) -> None:
        url = f"http://{self.settings.host}:{proc.port}{proc.health_path}"
        wait_until_ok(url, proc.popen, timeout, proc.name)

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Block until every health URL answers 200; raise if a process exits."""
        deadline = time.monotonic() + timeout
        pending = list(self.procs)
        while pending:
            for proc in list(pending):
                assert proc.popen is not None
                if proc.popen.poll() is not None:
                    raise StackError(f"{proc.name} exited with code {proc.popen.returncode}")
                try:
                    url = f"http://{self.settings.host}:{proc.port}{proc.health_path}"
                    if requests.get(url, timeout=2).status_code == 200:
                        pending.remove(proc)
                except requests.RequestException:
                    pass
            if pending and time.monotonic() > deadline:
                names = ", ".join(p.name for p in pending)
                raise StackError(f"not ready after {timeout:.0f} s: {names}")
            if pending:
                time.sleep(0.3)

    def poll(self) -> Proc | None:
        """Return a process that has exited, if any."""
        return next((p for p in self.procs if p.popen and p.popen.poll() is not None), None)

    def stop(self) -> None:
        """Stop every process: SIGTERM, then SIGKILL after a grace period."""
        for proc in reversed(self.procs):
            if proc.popen and proc.popen.poll() is None:
                os.killpg(proc.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for proc in self.procs:
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()
        for log in self._logs:
            log.close()
        self._logs.clear()


def _print_ready(stack: Stack) -> None:
    s = stack.settings
    if s.profile == PROD:
        front = f"https://localhost:{s.nginx_https_port}"
        print(
            "\n嘉定企业服务助手 (prod profile) is ready behind nginx:\n"
            f"  web chat and console       {front}/  {front}/console\n"
            f"  WeChat webhook             http://<host>:{s.nginx_http_port}/webhooks/wechat/webhook\n"
            f"  processes                  {', '.join(p.name for p in stack.procs)}\n"
            f"Model {s.model_path}. Press Ctrl-C to stop.\n",
            flush=True,
        )
        return
    print(
        "\n嘉定企业服务助手 is ready:\n"
        f"  service (page, /healthz)   {stack.url('service')}/\n"
        f"  Rasa server (REST webhook) {stack.url('Rasa server')}/webhooks/rest/webhook\n"
        f"  action server              {stack.url('action server')}/health\n"
        f"  talk to it: `make shell`, or\n"
        f"  curl -s {stack.url('Rasa server')}/webhooks/rest/webhook "
        '-H \'Content-Type: application/json\' -d \'{"sender": "me", "message": "你好"}\'\n'
        f"Model {s.model_path}. Press Ctrl-C to stop.\n",
        flush=True,
    )


def run(settings: Settings) -> int:
    """Start everything in the foreground until Ctrl-C or a child exits."""
    stack = Stack(settings)
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    started = time.monotonic()
    try:
        stack.start()
        stack.wait_ready()
        _print_ready(stack)
        print(f"(ready in {time.monotonic() - started:.1f} s)", flush=True)
        while not stopping:
            dead = stack.poll()
            if dead is not None:
                code = dead.popen.returncode if dead.popen else "?"
                print(
                    f"error: {dead.name} stopped (exit code {code}); stopping the others",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
        print("\nstopping ...", flush=True)
        return 0
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


def shell(settings: Settings, extra: Sequence[str] = ()) -> int:
    """Run ``rasa shell`` on its own port, with an action server of its own if none runs."""
    env = child_env(settings)
    action_server: subprocess.Popen[bytes] | None = None
    url = f"http://{settings.host}:{settings.action_port}/health"
    try:
        requests.get(url, timeout=2).raise_for_status()
    except requests.RequestException:
        port = settings.action_port
        if not port_is_free(settings.host, port):
            port = free_port()
        shell_settings = settings.copy(update={"action_port": port})
        env = child_env(shell_settings)
        action_server = subprocess.Popen(
            action_cmd(shell_settings),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Same session as the shell: a closed terminal (SIGHUP) ends it too.
        )
    # Turn SIGHUP/SIGTERM into a normal exit so the finally below stops the action server.
    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, lambda *_: sys.exit(1))
    port = settings.shell_port if port_is_free(settings.host, settings.shell_port) else free_port()
    cmd = [
        sys.executable,
        "-m",
        "bot.rasa_ext.cli",
        "shell",
        "--model",
        str(settings.model_path),
        "--endpoints",
        "endpoints.yml",
        "--port",
        str(port),
        *extra,
    ]
    try:
        return subprocess.call(cmd, cwd=PROJECT_ROOT, env=env)
    finally:
        if action_server is not None:
            action_server.terminate()
            action_server.wait(timeout=STOP_TIMEOUT_S)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``make run`` and ``make shell``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run", "shell"])
    args, extra = parser.parse_known_args(argv)
    settings = get_settings()
    if args.command == "run":
        return run(settings)
    return shell(settings, extra)


if __name__ == "__main__":
    sys.exit(main())
