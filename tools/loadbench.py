"""`make loadbench`: load benchmark of the REST channel, ours side by side with a stock Rasa bot.

Both bots get the same traffic (tools/load/locustfile.py, run headless by Locust): each
simulated user is one conversation, 70% policy questions, 20% appeal-form turns, 10% small
talk. Levels: 1, 10, 20 and 50 users with 1 s between a user's messages, then saturation
(20 users, no wait). For each level: throughput, p50/p95/p99 latency, errors, CPU and resident
memory of each process (its children included), and our figures over the stock bot's.

The stock bot is what ``rasa init --no-prompt`` writes and trains, cached in var/bench/stock
(retrained only when the Rasa version changes); ours is the embedded profile (bot.stack: SQLite
tracker, in-memory lock store, one process each) with the repository's model. Figures are
printed and written to results/loadbench.json; Locust's CSV files and the bots' logs of the
last run stay in var/bench/last/.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil
import requests

from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.stack import Stack, StackError, free_port, wait_until_ok
from tools.load import workload

LOCUSTFILE = PROJECT_ROOT / "tools" / "load" / "locustfile.py"
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
STOCK_DIR = BENCH_DIR / "stock"
STOCK_STAMP = STOCK_DIR / ".rasa-version"
LAST_RUN = BENCH_DIR / "last"
OUT = PROJECT_ROOT / "results" / "loadbench.json"

DEFAULT_USERS = (1, 10, 20, 50)
SATURATION_USERS = 20
DEFAULT_DURATION_S = 30
QUICK_DURATION_S = 8
READY_TIMEOUT_S = 300.0
SAMPLE_INTERVAL_S = 0.5
# Between levels: messages still in flight when Locust stopped are answered meanwhile.
PAUSE_S = 3.0
# Per level beyond its duration: Locust's start and stop, the pause.
LEVEL_OVERHEAD_S = 6.0
# Sent one by one before the levels: the first turns of a fresh process are slow.
WARM_UP = ("你好", "小规模纳税人增值税有减免吗", "/file_appeal", "取消", "谢谢")
RAMPING_MARK = "Ramping to"
SHUTDOWN_MARK = "Shutting down"
MIB = 2**20


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        **extra,
    }


# --- levels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """Concurrent users and the wait between one user's messages (0: saturation)."""

    users: int
    wait_s: float

    @property
    def key(self) -> str:
        """Return the level's key in the JSON results."""
        return f"u{self.users}" if self.wait_s else f"sat{self.users}"

    @property
    def label(self) -> str:
        """Return the level as people read it."""
        who = "1 user" if self.users == 1 else f"{self.users} users"
        return f"{who}, {self.wait_s:g} s wait" if self.wait_s else f"{who}, no wait"


def make_levels(users: list[int], saturation_users: int, wait_s: float = 1.0) -> list[Level]:
    """Return the levels: each user count with ``wait_s``, then saturation (0: none)."""
    levels = [Level(n, wait_s) for n in users]
    if saturation_users:
        levels.append(Level(saturation_users, 0.0))
    return levels


def parse_users(text: str) -> list[int]:
    """Parse ``--levels`` (comma-separated positive user counts)."""
    users = [int(part) for part in text.split(",") if part.strip()]
    if not users or min(users) < 1:
        raise argparse.ArgumentTypeError("levels: comma-separated user counts, each at least 1")
    return users


# --- Locust's CSV files -------------------------------------------------------------------


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:  # "N/A" when a name has no requests
        return None


def _ms(value: str) -> float | None:
    number = _number(value)
    return None if number is None else round(number, 1)


def _row_figures(row: Mapping[str, str]) -> dict[str, Any]:
    rps = _number(row["Requests/s"])
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": None if rps is None else round(rps, 2),
        "p50_ms": _ms(row["50%"]),
        "p95_ms": _ms(row["95%"]),
        "p99_ms": _ms(row["99%"]),
        "avg_ms": _ms(row["Average Response Time"]),
        "max_ms": _ms(row["Max Response Time"]),
    }


def parse_stats(text: str) -> dict[str, Any]:
    """Turn Locust's ``*_stats.csv`` into figures: the aggregate, and ``by_kind`` per name.

    Locust rounds its percentiles (to two significant digits above 100 ms); ``rps`` is the
    requests over the whole run.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total is None:
        raise ValueError("no Aggregated row in Locust's stats")
    figures = _row_figures(total)
    figures["by_kind"] = {
        r["Name"]: {
            k: v
            for k, v in _row_figures(r).items()
            if k in ("requests", "failures", "p50_ms", "p95_ms", "p99_ms")
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    return figures


def parse_failures(text: str) -> list[dict[str, Any]]:
    """Turn Locust's ``*_failures.csv`` into kinds of errors, most frequent first."""
    failures = [
        {"kind": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
        for r in csv.DictReader(io.StringIO(text))
    ]
    return sorted(failures, key=lambda f: -int(f["count"]))


def parse_exceptions(text: str) -> list[dict[str, Any]]:
    """Turn Locust's ``*_exceptions.csv`` (errors in the locustfile itself) into counts."""
    return [
        {"kind": "locustfile", "error": r["Message"], "count": int(r["Count"])}
        for r in csv.DictReader(io.StringIO(text))
    ]


def ratio(ours: float | None, stock: float | None) -> float | None:
    """Return ours / stock (two decimals), or None when either is missing or stock is 0."""
    if ours is None or not stock:
        return None
    return round(ours / stock, 2)


RATIO_FIGURES = {
    "throughput": "rps",
    "p50": "p50_ms",
    "p95": "p95_ms",
    "p99": "p99_ms",
    "cpu": "cpu_pct_total",
    "rss": "rss_mib_total",
}


def compare(ours: Mapping[str, Any], stock: Mapping[str, Any]) -> dict[str, float | None]:
    """Return our figures of one level over the stock bot's (throughput, latency, CPU, RSS)."""
    ratios = {name: ratio(ours.get(key), stock.get(key)) for name, key in RATIO_FIGURES.items()}
    ours_rasa = ours.get("processes", {}).get("rasa", {}).get("rss_mib")
    stock_rasa = stock.get("processes", {}).get("rasa", {}).get("rss_mib")
    ratios["rss_rasa"] = ratio(ours_rasa, stock_rasa)
    return ratios


def cpu_percent(cpu_s: float, wall_s: float) -> float:
    """Return CPU time over wall time in percent of one core (200% = both of 2 cores)."""
    return round(100 * cpu_s / wall_s, 1) if wall_s > 0 else 0.0


# --- processes ----------------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_by_process(pid: int) -> dict[tuple[int, float], float]:
    times: dict[tuple[int, float], float] = {}
    for proc in _tree(pid):
        with suppress(psutil.NoSuchProcess):
            t = proc.cpu_times()
            times[(proc.pid, proc.create_time())] = float(t.user + t.system)
    return times


def tree_rss(pid: int) -> int:
    """Return the resident memory (bytes) of a process and its children."""
    total = 0
    for proc in _tree(pid):
        with suppress(psutil.NoSuchProcess):
            total += int(proc.memory_info().rss)
    return total


class ProcessMeter:
    """CPU use and peak resident memory of named process trees over a window of time."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self.pids = dict(pids)
        self._cpu: dict[str, dict[tuple[int, float], float]] = {}
        self._peak: dict[str, int] = {}
        self._started = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Open the window: note CPU times, sample memory until :meth:`stop`."""
        self._cpu = {name: _cpu_by_process(pid) for name, pid in self.pids.items()}
        self._peak = dict.fromkeys(self.pids, 0)
        self._started = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self._peak[name] = max(self._peak[name], tree_rss(pid))
            if self._stop.wait(SAMPLE_INTERVAL_S):
                return

    def stop(self) -> tuple[float, dict[str, dict[str, float]]]:
        """Close the window; return its length and each tree's CPU % and peak RSS (MiB)."""
        wall = time.monotonic() - self._started
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        figures = {}
        for name, pid in self.pids.items():
            before = self._cpu.get(name, {})
            after = _cpu_by_process(pid)
            used = sum(t - before.get(key, 0.0) for key, t in after.items())
            figures[name] = {
                "cpu_pct": cpu_percent(used, wall),
                "rss_mib": round(self._peak[name] / MIB, 1),
            }
        return wall, figures


# --- the bots -----------------------------------------------------------------------------


@dataclass
class Bot:
    """A running bot: where its REST channel is and which processes are its own."""

    name: str
    url: str
    pids: dict[str, int]
    ready_s: float
    workdir: Path
    stack: Stack | None = None  # ours: the processes, for fault injection (tools/soak.py)


def _log_tail(path: Path, chars: int = 3000) -> str:
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
            env=_env(),
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
        raise RuntimeError(f"{exc}:\n{_log_tail(log)}") from exc


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
            env=_env(),
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
                f"--- {p.name}\n{_log_tail(p)}" for p in sorted((workdir / "logs").glob("*.log"))
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


# --- one level ----------------------------------------------------------------------------


def run_level(
    bot: Bot, level: Level, duration_s: int, extra_env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Drive ``bot`` with Locust at ``level`` for ``duration_s``; measure its processes."""
    prefix = bot.workdir / f"{bot.name}-{level.key}"
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(level.users),
        "--spawn-rate",
        str(level.users),
        "--run-time",
        f"{duration_s}s",
        "--host",
        bot.url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "INFO",
    ]
    env = _env(
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        **{workload.WAIT_ENV: str(level.wait_s)},
        **(extra_env or {}),
    )
    log_path = prefix.with_suffix(".log")
    with open(log_path, "w", encoding="utf-8") as log:
        locust = subprocess.Popen(
            cmd,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        meter = ProcessMeter({**bot.pids, "locust": locust.pid})
        measuring = False
        window_s = 0.0
        processes: dict[str, dict[str, float]] = {}
        assert locust.stderr is not None
        try:
            for line in locust.stderr:
                log.write(line)
                if RAMPING_MARK in line and not measuring:
                    meter.start()
                    measuring = True
                elif SHUTDOWN_MARK in line and measuring:
                    window_s, processes = meter.stop()
                    measuring = False
            code = locust.wait(timeout=duration_s + 60)
        finally:
            if locust.poll() is None:
                os.killpg(locust.pid, signal.SIGKILL)
                locust.wait()
            if measuring:
                window_s, processes = meter.stop()
    stats_path = Path(f"{prefix}_stats.csv")
    if code != 0 or not stats_path.exists():
        raise RuntimeError(f"Locust failed (exit code {code}):\n{_log_tail(log_path)}")
    figures = parse_stats(stats_path.read_text(encoding="utf-8"))
    errors = parse_failures(Path(f"{prefix}_failures.csv").read_text(encoding="utf-8"))
    exceptions_csv = Path(f"{prefix}_exceptions.csv")
    if exceptions_csv.exists():
        errors += parse_exceptions(exceptions_csv.read_text(encoding="utf-8"))
    load_generator = processes.pop("locust", {})
    sent = figures["requests"] or 1
    figures.update(
        # The mix sent: short levels cut appeal fills short (Locust stops users mid-task).
        mix={kind: round(k["requests"] / sent, 3) for kind, k in figures["by_kind"].items()},
        users=level.users,
        wait_s=level.wait_s,
        window_s=round(window_s, 1),
        errors=figures["failures"] + sum(e["count"] for e in errors if e["kind"] == "locustfile"),
        error_kinds=errors[:5],
        processes=processes,
        cpu_pct_total=round(sum(p["cpu_pct"] for p in processes.values()), 1),
        rss_mib_total=round(sum(p["rss_mib"] for p in processes.values()), 1),
        load_generator_cpu_pct=load_generator.get("cpu_pct"),
    )
    return figures


# --- report -------------------------------------------------------------------------------


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}{suffix}"
    return f"{value}{suffix}"


def level_line(bot: str, label: str, f: Mapping[str, Any]) -> str:
    """Return one level's figures for one bot as a line."""
    procs = ", ".join(
        f"{name} {p['cpu_pct']:g}% {p['rss_mib']:g} MiB" for name, p in f["processes"].items()
    )
    return (
        f"[{bot:<5}] {label}: {_fmt(f['rps'])} msg/s ({f['requests']} messages), "
        f"p50 {_fmt(f['p50_ms'])} ms, p95 {_fmt(f['p95_ms'])} ms, p99 {_fmt(f['p99_ms'])} ms, "
        f"{f['errors']} errors; CPU/RSS: {procs}; Locust {_fmt(f['load_generator_cpu_pct'])}% CPU"
    )


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """Return the comparison table: each level, both bots, and ours over stock."""
    head = (
        f"{'level':<20} {'bot':<10} {'msg/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'errors':>6} {'CPU%':>6} {'RSS MiB':>8}"
    )
    lines = [head, "-" * len(head)]
    bots = result.get("bots", {})
    for level in result.get("levels", []):
        key = level["key"]
        rows = [(name, bots[name]["levels"].get(key)) for name in ("stock", "ours") if name in bots]
        for i, (name, f) in enumerate(rows):
            if f is None:
                continue
            label = level["label"] if i == 0 else ""
            lines.append(
                f"{label:<20} {name:<10} {_fmt(f['rps']):>7} {_fmt(f['p50_ms']):>7} "
                f"{_fmt(f['p95_ms']):>7} {_fmt(f['p99_ms']):>7} {f['errors']:>6} "
                f"{_fmt(f['cpu_pct_total']):>6} {_fmt(f['rss_mib_total']):>8}"
            )
        r = result.get("ratios", {}).get(key)
        if r:
            lines.append(
                f"{'':<20} {'ours/stock':<10} {_fmt(r['throughput'], '×'):>7} "
                f"{_fmt(r['p50'], '×'):>7} {_fmt(r['p95'], '×'):>7} {_fmt(r['p99'], '×'):>7} "
                f"{'':>6} {_fmt(r['cpu'], '×'):>6} {_fmt(r['rss'], '×'):>8}"
            )
    return lines


def _memory_line(bot: str, rss: Mapping[str, float], when: str) -> str:
    parts = " + ".join(f"{name} {mib:g}" for name, mib in rss.items())
    total = round(sum(rss.values()), 1)
    return f"[{bot:<5}] resident memory {when}: {parts} = {total:g} MiB"


# --- the whole run ------------------------------------------------------------------------


BotStarter = Callable[[Path], AbstractContextManager[Bot]]


def run(duration_s: int, levels: list[Level]) -> dict[str, Any]:
    """Run every level against the stock bot, then against ours; return the results."""
    # Here, not at the top: tools.bench imports this module, and its imports are heavy.
    from tools.bench import machine

    result: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "locust": version("locust"),
        "rasa": version("rasa"),
        "duration_s": duration_s,
        "mix": {k: round(v, 3) for k, v in workload.message_mix().items()},
        "levels": [
            {"key": lv.key, "label": lv.label, "users": lv.users, "wait_s": lv.wait_s}
            for lv in levels
        ],
        "bots": {},
    }
    shutil.rmtree(LAST_RUN, ignore_errors=True)
    starters: list[tuple[str, BotStarter]] = [("stock", stock_bot), ("ours", our_bot)]
    for name, starter in starters:
        workdir = LAST_RUN / name
        workdir.mkdir(parents=True)
        with starter(workdir) as bot:
            warm_up(bot.url)
            idle = {n: round(tree_rss(pid) / MIB, 1) for n, pid in bot.pids.items()}
            print(f"[{name:<5}] ready in {bot.ready_s:.1f} s", flush=True)
            print(_memory_line(name, idle, "idle, after warm-up"), flush=True)
            figures: dict[str, Any] = {
                "ready_s": round(bot.ready_s, 1),
                "idle_rss_mib": idle,
                "idle_rss_mib_total": round(sum(idle.values()), 1),
                "levels": {},
            }
            result["bots"][name] = figures
            for level in levels:
                f = run_level(bot, level, duration_s)
                figures["levels"][level.key] = f
                print(level_line(name, level.label, f), flush=True)
                if len(f["processes"]) > 1:
                    peak = {n: p["rss_mib"] for n, p in f["processes"].items()}
                    print(_memory_line(name, peak, "peak"), flush=True)
                time.sleep(PAUSE_S)
        if name == "ours":
            # Full fills that ended in 确认提交 are stored: the appeal turns did their work.
            figures["appeals_filed"] = appeals_filed(workdir)
        # The databases of the run are not kept (Locust's CSV files and the logs are).
        for db in workdir.glob("*.db"):
            db.unlink()
    stock, ours = result["bots"]["stock"]["levels"], result["bots"]["ours"]["levels"]
    result["ratios"] = {key: compare(ours[key], stock[key]) for key in ours if key in stock}
    return result


def estimate_s(duration_s: int, levels: list[Level]) -> float:
    """Return about how long a run takes (two bots; their start-up not counted)."""
    return 2 * len(levels) * (duration_s + LEVEL_OVERHEAD_S)


def measure(duration_s: int, levels: list[Level]) -> dict[str, Any]:
    """Run the benchmark, print the comparison and write results/loadbench.json."""
    print(
        f"load benchmark: {len(levels)} levels x {duration_s} s x 2 bots, about "
        f"{estimate_s(duration_s, levels) / 60:.0f} min plus start-up; mix "
        + ", ".join(f"{k} {v:.0%}" for k, v in workload.message_mix().items()),
        flush=True,
    )
    started = time.monotonic()
    result = run(duration_s, levels)
    result["total_s"] = round(time.monotonic() - started, 1)
    print()
    print("\n".join(summary_lines(result)))
    print(
        f"appeals filed by our bot: {result['bots']['ours'].get('appeals_filed')}; "
        f"whole run {result['total_s']:.0f} s"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"written to {OUT.relative_to(PROJECT_ROOT)}", flush=True)
    return result


def latest() -> dict[str, Any] | None:
    """Return the figures of the last run (results/loadbench.json), if there is one."""
    if not OUT.exists():
        return None
    data: dict[str, Any] = json.loads(OUT.read_text())
    return data


def main(argv: list[str] | None = None) -> int:
    """Run the load benchmark (``python -m tools.loadbench``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_DURATION_S} s per level (a smoke run)"
    )
    parser.add_argument("--duration", type=int, help=f"seconds per level ({DEFAULT_DURATION_S})")
    parser.add_argument(
        "--levels",
        type=parse_users,
        default=list(DEFAULT_USERS),
        help="user counts with 1 s wait, comma-separated (1,10,20,50)",
    )
    parser.add_argument(
        "--saturation-users",
        type=int,
        default=SATURATION_USERS,
        help=f"users of the no-wait level ({SATURATION_USERS}; 0: none)",
    )
    args = parser.parse_args(argv)
    duration = args.duration or (QUICK_DURATION_S if args.quick else DEFAULT_DURATION_S)
    measure(duration, make_levels(args.levels, args.saturation_users))
    return 0


if __name__ == "__main__":
    sys.exit(main())
