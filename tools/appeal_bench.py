"""Appeal creation throughput over HTTP, on SQLite and on PostgreSQL (part of `make bench`).

Starts the real service (uvicorn, one process, as the embedded profile runs it) on a fresh
database, files ``--appeals`` appeals from ``--clients`` concurrent clients through
``POST /api/appeals`` (each with its own Idempotency-Key) and prints appeals per second and
the p50/p95 latency. PostgreSQL is a temporary server from Debian's binaries (the tests'
helper, tests/support/postgres.py), skipped when PostgreSQL is not installed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bot.deploy.processes import child_env, service_cmd
from bot.settings import PROJECT_ROOT, Settings
from bot.stack import StackError, free_port, wait_until_ok

APPEALS = 400
CLIENTS = 16
READY_TIMEOUT_S = 60.0


def appeal_body(index: int) -> dict[str, str]:
    """Return a valid appeal (the chat form's checks) numbered ``index``."""
    return {
        "enterprise_name": "上海嘉定压测精密机械有限公司",
        "credit_code": "91310114MA1GY5BM3N",
        "contact_name": "王经理",
        "phone": "13812345678",
        "town": "安亭镇",
        "category": "construction",
        "description": f"厂区门口道路破损，货车进出困难，请协调修复（压测{index}）",
        "channel": "web",
    }


@contextmanager
def service(database_url: str, workdir: Path) -> Iterator[str]:
    """Run the service on ``database_url`` (migrated at start-up); yield its base URL."""
    settings = Settings(
        rasa_auth_token="bench",
        internal_token="bench",
        database_url=database_url,
        service_port=free_port(),
        supervise_interval_s=0,
        handoff_check_interval_s=0,
        log_level="WARNING",
    )
    env = {**child_env(settings), "SUPERVISE_INTERVAL_S": "0", "HANDOFF_CHECK_INTERVAL_S": "0"}
    log = (workdir / "service.log").open("wb")
    popen = subprocess.Popen(
        service_cmd(settings), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://{settings.host}:{settings.service_port}"
    try:
        try:
            wait_until_ok(url + "/healthz", popen, READY_TIMEOUT_S, "the service")
        except StackError as exc:
            raise RuntimeError(f"{exc}: {(workdir / 'service.log').read_text()}") from exc
        yield url
    finally:
        popen.terminate()
        popen.wait(timeout=15)
        log.close()


def file_appeals(url: str, appeals: int, clients: int) -> dict[str, Any]:
    """File ``appeals`` appeals from ``clients`` threads; return throughput and latency."""
    session_key = uuid.uuid4().hex[:8]

    def one(index: int) -> float:
        started = time.perf_counter()
        reply = requests.post(
            url + "/api/appeals",
            json=appeal_body(index),
            headers={"Idempotency-Key": f"bench-{session_key}-{index:06d}"},
            timeout=60,
        )
        reply.raise_for_status()
        return (time.perf_counter() - started) * 1000

    one(-1)  # warm the connection pool and the first transaction
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(one, range(appeals)))
    elapsed = time.perf_counter() - started
    return {
        "appeals": appeals,
        "clients": clients,
        "per_s": round(appeals / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
    }


def measure(appeals: int = APPEALS, clients: int = CLIENTS) -> dict[str, Any]:
    """Measure on SQLite, then on PostgreSQL when it is installed."""
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="appeal-bench-") as tmp:
        work = Path(tmp)
        with service(f"sqlite:///{work / 'appeals.db'}", work) as url:
            result["sqlite"] = file_appeals(url, appeals, clients)
        try:
            from tests.support.postgres import postgres_server

            with postgres_server() as pg, service(pg.database(), work) as url:
                result["postgresql"] = file_appeals(url, appeals, clients)
        except RuntimeError as exc:
            result["postgresql"] = {"skipped": str(exc)}
    return result


def main(argv: list[str] | None = None) -> int:
    """Print appeal creation throughput on both databases."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=APPEALS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.appeals, args.clients), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
