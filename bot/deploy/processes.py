"""The processes of the assistant and how each is started (command line, environment).

Used by bot/stack.py: the embedded profile's three processes, or the prod profile's N of
each kind (bot/deploy/prod.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.deploy import nginx, prod
from bot.deploy.prod import PROD
from bot.settings import PROJECT_ROOT, Settings

WECHAT_SETTINGS = (
    "wechat_token",
    "wechat_app_id",
    "wechat_app_secret",
    "wechat_encoding_aes_key",
    "wechat_previous_encoding_aes_key",
    "wechat_api_base",
)


def child_env(settings: Settings) -> dict[str, str]:
    """Environment for every child: telemetry off, endpoints.yml variables, import path."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        ACTION_ENDPOINT_URL=settings.action_endpoint_url,
        TRACKER_DB=str(settings.tracker_db),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
        # The service and the tests read the same values the children use.
        HOST=settings.host,
        RASA_PORT=str(settings.rasa_port),
        ACTION_PORT=str(settings.action_port),
        SERVICE_PORT=str(settings.service_port),
        RASA_AUTH_TOKEN=settings.rasa_auth_token,
        INTERNAL_TOKEN=settings.internal_token,
        ACTION_SERVER_TOKEN=settings.action_server_token,
        HANDOFF_TIMEOUT_S=str(settings.handoff_timeout_s),
        HANDOFF_CHECK_INTERVAL_S=str(settings.handoff_check_interval_s),
        DATABASE_URL=settings.database_url,
        OUTBOX_PATH=str(settings.outbox_path),
        KB_STATUS_FILE=str(settings.kb_status_file),
        HANDOFF_DEPARTMENTS=settings.handoff_departments,
        # The profile: the service finds every Rasa server, Rasa's socket.io finds Redis.
        PROFILE=settings.profile,
        RASA_PROCESSES=str(settings.rasa_processes),
        REDIS_URL=settings.redis_url,
    )
    # OpenMP: one thread, waiting passively, read once by the first runtime loaded (see
    # bot/embedding.py): set before the child starts, whatever starts it.
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # The WeChat channel's settings, where set (secrets stay in the environment, as given).
    for name in WECHAT_SETTINGS:
        value = getattr(settings, name)
        if value not in ("", None):
            env[name.upper()] = str(value)
    return env


@dataclass
class Proc:
    """One child process and how to tell it is ready."""

    name: str
    port: int
    port_setting: str
    cmd: list[str]
    health_path: str
    popen: subprocess.Popen[bytes] | None = None
    # Variables of this process only (on top of child_env), e.g. its action server.
    env: dict[str, str] = field(default_factory=dict)
    # Start the next processes only once this one answers (it creates shared tables).
    gate: bool = False
    # Run before each start (nginx: write its config and certificate).
    prepare: Callable[[], None] | None = None


def rasa_cmd(
    settings: Settings, *extra: str, port: int | None = None, endpoints: str = "endpoints.yml"
) -> list[str]:
    """Command line of the Rasa server (rest + socketio, HTTP API with token auth)."""
    return [
        sys.executable,
        "-m",
        "bot.rasa_ext.cli",
        "run",
        "--enable-api",
        "--auth-token",
        settings.rasa_auth_token,
        "--interface",
        settings.host,
        "--port",
        str(port or settings.rasa_port),
        "--model",
        str(settings.model_path),
        "--endpoints",
        endpoints,
        "--credentials",
        "credentials.yml",
        *extra,
    ]


def action_cmd(settings: Settings, port: int | None = None) -> list[str]:
    """Command line of the action server (rasa-sdk with our guards, actions/server.py)."""
    return [
        sys.executable,
        "-m",
        "actions.server",
        "--host",
        settings.host,
        "--port",
        str(port or settings.action_port),
    ]


def service_cmd(settings: Settings) -> list[str]:
    """Command line of the FastAPI service."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "bot.app:create_app",
        "--factory",
        "--host",
        settings.host,
        "--port",
        str(settings.service_port),
        # websockets is pinned at 10.x by Rasa (sanic); uvicorn's default needs 13+.
        "--ws",
        "wsproto",
        "--log-level",
        settings.log_level.lower(),
        *(["--workers", str(settings.service_workers)] if settings.profile == PROD else []),
    ]


def prod_procs(settings: Settings) -> list[Proc]:
    """Return the prod profile's processes (bot/deploy/prod.py): N of each kind, shared stores.

    The service's workers do not migrate the database themselves (they would race): the
    stack migrates it once before they start.
    """
    shared = {**prod.tracker_env(settings.tracker_url), **prod.redis_env(settings.redis_url)}
    service = service_cmd(settings)
    no_migrate = {"AUTO_MIGRATE": "false"}
    procs = [
        Proc("service", settings.service_port, "SERVICE_PORT", service, "/healthz", env=no_migrate)
    ]
    for i in range(settings.action_processes):
        port = settings.action_port + i
        cmd = action_cmd(settings, port)
        procs.append(Proc(f"action server {i + 1}", port, "ACTION_PORT", cmd, "/health"))
    for i in range(settings.rasa_processes):
        port = settings.rasa_port + i
        cmd = rasa_cmd(settings, port=port, endpoints="endpoints.prod.yml")
        env = {**shared, "ACTION_ENDPOINT_URL": prod.action_url(settings, i)}
        procs.append(
            Proc(f"Rasa server {i + 1}", port, "RASA_PORT", cmd, "/", env=env, gate=i == 0)
        )
    binary = nginx.nginx_bin()
    if binary is None:
        raise prod.ProfileError(
            "PROFILE=prod needs nginx: `apt-get install nginx` (scripts/test-servers.sh does it)"
        )
    procs.append(
        Proc(
            "nginx",
            settings.nginx_http_port,
            "NGINX_HTTP_PORT",
            nginx.command(binary, settings.nginx_dir),
            nginx.HEALTH_PATH,
            prepare=lambda: nginx.prepare(settings),
        )
    )
    return procs
