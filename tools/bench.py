"""`make bench`: NLU cross-validation, training time, start-up time, REST latency and load.

Figures are printed (and written to results/bench.json); nothing here is a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import yaml

from bot.kb.search import Decision, decide
from bot.kb.store import load_index
from bot.settings import PROJECT_ROOT
from bot.stack import free_port
from tools import appeal_bench, e2e_eval, memsoak
from tools.load import benchmark as load_benchmark
from tools.load.levels import DEFAULT_USERS, SATURATION_USERS, make_levels
from tools.load.report import summary_lines
from tools.machine import machine
from tools.train import TRAINING_DATA

DEV_SET = PROJECT_ROOT / "tests" / "data" / "policy_dev.yml"
OUT_OF_DOMAIN = PROJECT_ROOT / "tests" / "data" / "out_of_domain.yml"

# One user's conversation, replayed with a new sender id each time round (a form holds the
# conversation until it is finished, so the turns must make sense in order): greeting, a
# policy question and a follow-up, an appeal opened and cancelled, a progress look-up, small
# talk, bad input.
LATENCY_MESSAGES = [
    "你好",
    "小规模纳税人增值税有减免吗",
    "需要什么条件？",
    "我们厂门口的路灯坏了半个月了，能不能找人修",
    "取消",
    "查一下诉求JD-20261127-0001的进度",
    "5678",
    "你是机器人吗",
    "今天天气怎么样",
    "😀",
    "好的，谢谢",
    "再见",
]
READY_MARK = "is ready"


def _env() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def percentile(values: list[float], pct: float) -> float:
    """Return the ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_and_measure(n_messages: int, answers: bool = True) -> dict[str, Any]:
    """Time an unchanged `make run` until ready, then REST round trips, then Ctrl-C.

    In between, the end-to-end answer quality (tools.e2e_eval) of that same fresh assistant.
    """
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "SERVICE_PORT": free_port()}
    tmp = tempfile.TemporaryDirectory(prefix="bench-")
    tracker_db = str(Path(tmp.name) / "t.db")
    env = {
        **_env(),
        **{k: str(v) for k, v in ports.items()},
        "TRACKER_DB": tracker_db,
        "DATABASE_URL": f"sqlite:///{Path(tmp.name) / 'appeals.db'}",
        "OUTBOX_PATH": str(Path(tmp.name) / "outbox.db"),
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    ready_s = None
    for line in proc.stdout:
        if READY_MARK in line:
            ready_s = time.monotonic() - started
            break
    if ready_s is None:
        raise RuntimeError("`make run` did not become ready")
    url = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"
    latencies = []
    for i in range(n_messages):
        if i % len(LATENCY_MESSAGES) == 0:
            sender = f"bench-{uuid.uuid4().hex}"
        text = LATENCY_MESSAGES[i % len(LATENCY_MESSAGES)]
        t0 = time.perf_counter()
        reply = requests.post(url, json={"sender": sender, "message": text}, timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
        reply.raise_for_status()
    quality = None
    if answers:
        quality = e2e_eval.measure_running(f"http://127.0.0.1:{ports['RASA_PORT']}")
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    tmp.cleanup()
    return {
        "ready_s": round(ready_s, 1),
        "stop_s": round(time.monotonic() - t0, 1),
        "messages": n_messages,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
        "answers": quality,
    }


def training_time() -> dict[str, Any]:
    """Train from clean (``--force``, into a temporary folder) and time it."""
    with tempfile.TemporaryDirectory() as out:
        t0 = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--force", "--out", out],
            cwd=PROJECT_ROOT,
            env=_env(),
            check=True,
            capture_output=True,
        )
        return {"train_from_clean_s": round(time.monotonic() - t0, 1)}


def _without_router(config: str) -> str:
    data = yaml.safe_load(config)
    data["pipeline"] = [c for c in data["pipeline"] if not c["name"].endswith("KbRouter")]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def cross_validation(folds: int) -> dict[str, Any]:
    """Run Rasa's NLU cross-validation and return accuracy and F1 per intent."""
    with tempfile.TemporaryDirectory() as out:
        # `rasa test nlu` takes one folder: gather the hand-written and the exported data.
        nlu = Path(out) / "nlu"
        nlu.mkdir()
        for folder in TRAINING_DATA:
            for path in sorted((PROJECT_ROOT / folder).rglob("*.yml")):
                if "nlu:" in path.read_text(encoding="utf-8"):
                    shutil.copy(path, nlu / f"{path.parent.name}-{path.name}")
        # DIET's own reading: without the KB router, which would answer the KB's paraphrases
        # from the KB itself (the end-to-end figures measure the two together).
        config = Path(out) / "config.yml"
        config.write_text(_without_router((PROJECT_ROOT / "config.yml").read_text()))
        t0 = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "rasa",
                "test",
                "nlu",
                "--nlu",
                str(nlu),
                "--config",
                str(config),
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                out,
            ],
            cwd=PROJECT_ROOT,
            env=_env(),
            check=True,
            capture_output=True,
        )
        report = json.loads((Path(out) / "intent_report.json").read_text())
    per_intent = {
        name: round(v["f1-score"], 3)
        for name, v in sorted(report.items())
        if isinstance(v, dict)
        and "f1-score" in v
        and name not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "folds": folds,
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "per_intent_f1": per_intent,
        "seconds": round(time.monotonic() - t0, 1),
    }


def kb_evaluation() -> dict[str, Any]:
    """Rank the development set and everyday requests; report accuracy, decisions, latency."""
    stored = load_index()
    index = stored.index
    dev = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))["questions"]
    ood = yaml.safe_load(OUT_OF_DOMAIN.read_text(encoding="utf-8"))["questions"]
    latencies: list[float] = []
    by_style: dict[str, list[tuple[bool, bool, str]]] = {}
    for item in dev:
        t0 = time.perf_counter()
        result = decide(index, item["q"])
        latencies.append((time.perf_counter() - t0) * 1000)
        firsts = [h.entry.articles[0] for h in result.hits[:3]]
        expected = set(item["articles"])
        by_style.setdefault(item["style"], []).append(
            (firsts[0] in expected, bool(expected & set(firsts)), result.decision.value)
        )
    report: dict[str, Any] = {"calibration": dataclasses.asdict(stored.calibration)}
    for style, rows in sorted(by_style.items()):
        answered = [r for r in rows if r[2] == Decision.ANSWER.value]
        report[style] = {
            "n": len(rows),
            "top1": round(statistics.mean(r[0] for r in rows), 3),
            "top3": round(statistics.mean(r[1] for r in rows), 3),
            "answered": round(len(answered) / len(rows), 3),
            "choices": round(sum(r[2] == Decision.CHOICES.value for r in rows) / len(rows), 3),
            "no_match": round(sum(r[2] == Decision.NO_MATCH.value for r in rows) / len(rows), 3),
            "answer_precision": round(statistics.mean(r[0] for r in answered), 3)
            if answered
            else None,
        }
    ood_decisions = [decide(index, q).decision for q in ood]
    report["out_of_domain"] = {
        "n": len(ood),
        "answered": round(ood_decisions.count(Decision.ANSWER) / len(ood), 3),
        "choices": round(ood_decisions.count(Decision.CHOICES) / len(ood), 3),
    }
    report["search_ms"] = {
        "p50": round(statistics.median(latencies), 2),
        "p95": round(percentile(latencies, 95), 2),
    }
    return report


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument(
        "--skip-load", action="store_true", help="no load benchmark (tools/loadbench.py)"
    )
    parser.add_argument(
        "--skip-appeals", action="store_true", help="no appeal throughput (tools/appeal_bench.py)"
    )
    parser.add_argument(
        "--skip-memory", action="store_true", help="no 10,000-message memory run (tools/memsoak.py)"
    )
    parser.add_argument("--kb-only", action="store_true", help="only the KB evaluation")
    parser.add_argument(
        "--skip-answers", action="store_true", help="no end-to-end answers (tools/e2e_eval.py)"
    )
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M")}
    print(f"machine: {result['machine']}", flush=True)
    kb = result["kb"] = kb_evaluation()
    print(f"KB calibration: {kb['calibration']}")
    for style in ("colloquial", "formal"):
        print(f"KB dev set, {style}: {kb[style]}")
    print(
        f"KB everyday requests: {kb['out_of_domain']}; search latency {kb['search_ms']} ms",
        flush=True,
    )
    if args.kb_only:
        return 0
    result["run"] = run_and_measure(args.messages, answers=not args.skip_answers)
    r = result["run"]
    print(f"unchanged `make run` ready in {r['ready_s']} s; Ctrl-C stopped all in {r['stop_s']} s")
    print(
        f"REST round trip, 1 user, {r['messages']} messages: "
        f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms",
        flush=True,
    )
    if r["answers"] is not None:
        print("\n".join(e2e_eval.summary_lines(r["answers"])), flush=True)
    if not args.skip_appeals:
        appeals = result["appeals"] = appeal_bench.measure()
        for database, figures in appeals.items():
            print(f"appeal creation over HTTP, {database}: {figures}", flush=True)
    if not args.skip_load:
        load = load_benchmark.measure(
            load_benchmark.DEFAULT_DURATION_S, make_levels(list(DEFAULT_USERS), SATURATION_USERS)
        )
        result["load"] = {k: v for k, v in load.items() if k != "machine"}
    elif (last := load_benchmark.latest()) is not None:
        # `make loadbench` writes the newest load figures: carried over with their date.
        result["load"] = {
            **{k: v for k, v in last.items() if k != "machine"},
            "measured": last.get("date"),
        }
        print(f"load benchmark skipped; the figures of {last.get('date')} (make loadbench):")
        print("\n".join(summary_lines(last)), flush=True)
    memory: dict[str, Any] | None = None
    if not args.skip_memory:
        memory = result["memory"] = memsoak.soak()
    elif (memory := memsoak.latest()) is not None:
        # `python -m tools.memsoak` writes the newest figures: carried over with their date.
        result["memory"] = {**memory, "measured": memory["date"]}
    if memory is not None:
        print(
            f"resident memory of the three processes: {memory['total_mib_after_warm_up']} MiB "
            f"after warm-up, {memory['total_mib_at_end']} MiB after {memory['messages']} "
            f"messages ({memory['growth_mib_second_half']:+} MiB over the second half)",
            flush=True,
        )
    if not args.skip_train:
        result["train"] = training_time()
        print(f"training from clean: {result['train']['train_from_clean_s']} s", flush=True)
    if not args.skip_cv:
        cv = cross_validation(args.folds)
        result["nlu_cv"] = cv
        print(
            f"NLU {cv['folds']}-fold cross-validation: accuracy {cv['accuracy']}, "
            f"macro-F1 {cv['macro_f1']} ({cv['seconds']} s)"
        )
        for name, f1 in cv["per_intent_f1"].items():
            print(f"  {name:<22} F1 {f1}")
    out = PROJECT_ROOT / "results" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    if out.exists():
        # Figures skipped this time are carried over from the last run, with its date.
        previous = json.loads(out.read_text())
        for key in ("train", "nlu_cv", "load", "appeals", "memory"):
            if key not in result and key in previous:
                result[key] = {
                    **previous[key],
                    "measured": previous[key].get("measured", previous.get("date")),
                }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"written to {out.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
