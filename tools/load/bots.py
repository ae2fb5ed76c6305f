"""The bots under load: the stock Rasa bot (``rasa init``) and ours (bot.stack), started.

Each starter is a context manager that runs the bot's processes on free ports and yields a
:class:`Bot` (its REST channel's URL, its process ids); the processes are stopped on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import requests

from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.stack import Stack, StackError, free_port, wait_until_ok
from tools.load import workload

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
STOCK_DIR = BENCH_DIR / "stock"
STOCK_STAMP = STOCK_DIR / ".rasa-version"
READY_TIMEOUT_S = 300.0
# Sent one by one before the levels: the first turns of a fresh process are slow.
WARM_UP = ("你好", "小规模纳税人增值税有减免吗", "/file_appeal", "取消", "谢谢")


def child_env(**extra: str) -> dict[str, str]:
    """Return the environment of a child process: ours, quiet Rasa and TensorFlow."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        **extra,
    }


@dataclass
class Bot:
    """A running bot: where its REST channel is and which processes are its own."""

    name: str
    url: str
    pids: dict[str, int]
    ready_s: float
    workdir: Path
    stack: Stack | None = None  # ours: the processes, for fault injection (tools/soak.py)


def log_tail(path: Path, chars: int = 3000) -> str:
    """Return the end of a log file (empty when there is none), to explain a failure."""
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def stock_project() -> Path:
    """Return the stock project (``rasa init --no-prompt``), writing and training it if needed.

    It is kept in var/bench/stock with the Rasa version that trained it, and made again only
    when that version differs from the installed one.
    """
    rasa_version = version("rasa")
    models = sorted(STOCK_DIR.glob("models/*.tar.gz"))
    if models and STOCK_STAMP.exists() and STOCK_STAMP.read_text().strip() == rasa_version:
        return STOCK_DIR
    print(f"writing and training the stock bot (rasa init, Rasa {rasa_version}) ...", flush=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="stock-init-", dir=BENCH_DIR))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(building)],
            cwd=building,
            env=child_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not list(building.glob("models/*.tar.gz")):
            raise RuntimeError(f"`rasa init` failed:\n{(done.stdout + done.stderr)[-3000:]}")
        (building / STOCK_STAMP.name).write_text(rasa_version + "\n")
        shutil.rmtree(STOCK_DIR, ignore_errors=True)
        building.rename(STOCK_DIR)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return STOCK_DIR


def _wait_http(url: str, popen: subprocess.Popen[bytes], log: Path) -> None:
    try:
        wait_until_ok(url, popen, READY_TIMEOUT_S, "the stock bot")
    except StackError as exc:
        raise RuntimeError(f"{exc}:\n{log_tail(log)}") from exc


@contextmanager
def stock_bot(workdir: Path) -> Iterator[Bot]:
    """Run the stock bot: ``rasa run --enable-api`` with its own credentials.yml (rest)."""
    project = stock_project()
    port = free_port()
    log = workdir / "stock-rasa.log"
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "run",
        "--enable-api",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--model",
        "models",
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
    ]
    started = time.monotonic()
    with open(log, "ab") as out:
        popen = subprocess.Popen(
            cmd,
            cwd=project,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(url + "/", popen, log)
        yield Bot("stock", url, {"rasa": popen.pid}, time.monotonic() - started, workdir)
    finally:
        if popen.poll() is None:
            os.killpg(popen.pid, signal.SIGTERM)
            try:
                popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()


@contextmanager
def our_bot(workdir: Path) -> Iterator[Bot]:
    """Run our three processes (bot.stack, embedded profile) on free ports, fresh databases."""
    base = get_settings()
    settings = Settings(
        profile="embedded",
        rasa_auth_token=f"load-{uuid.uuid4().hex}",
        internal_token=f"load-{uuid.uuid4().hex}",
        action_server_token=f"load-{uuid.uuid4().hex}",
        model_path=base.model_path,
        tracker_db=workdir / "tracker.db",
        database_url=f"sqlite:///{workdir / 'appeals.db'}",
        outbox_path=workdir / "outbox.db",
        rasa_port=free_port(),
        action_port=free_port(),
        service_port=free_port(),
    )
    stack = Stack(settings, log_dir=workdir / "logs")
    started = time.monotonic()
    try:
        stack.start()
        try:
            stack.wait_ready(timeout=READY_TIMEOUT_S)
        except Exception as exc:
            logs = "\n".join(
                f"--- {p.name}\n{log_tail(p)}" for p in sorted((workdir / "logs").glob("*.log"))
            )
            raise RuntimeError(f"our stack did not start: {exc}\n{logs}") from exc
        names = {"Rasa server": "rasa", "action server": "action_server", "service": "service"}
        pids = {names[p.name]: p.popen.pid for p in stack.procs if p.popen is not None}
        ready_s = time.monotonic() - started
        yield Bot("ours", stack.url("Rasa server"), pids, ready_s, workdir, stack)
    finally:
        stack.stop()


def appeals_filed(workdir: Path) -> int | None:
    """Return how many appeals our service stored during the run (None: no database)."""
    path = workdir / "appeals.db"
    if not path.exists():
        return None
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM appeals").fetchone()[0])


def warm_up(url: str) -> None:
    """Send a few messages one by one: a fresh process answers its first turns slowly."""
    sender = f"warm-up-{uuid.uuid4().hex}"
    for text in WARM_UP:
        reply = requests.post(
            url + workload.WEBHOOK, json={"sender": sender, "message": text}, timeout=120
        )
        reply.raise_for_status()
