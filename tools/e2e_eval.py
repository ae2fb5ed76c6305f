"""End-to-end answer quality: questions sent over the REST channel of a running assistant.

Each question opens a new conversation; the reply is read as a user sees it (the policy
answer's payload, the choice and related buttons) and the conversation's tracker tells whether
an appeal form was started. Measured on the report halves (bot.kb.evalsets), never on what
calibrated the thresholds:

- plain talk: right entry answered first; right entry among the answer, the choices and the
  related buttons;
- document wording (policy_dev.yml): an entry of a right article answered first;
- out-of-domain (`../shared/ood/` develop) and near-domain negatives: the share that got a
  policy answer or an appeal form.

`make bench` runs it on the fresh `make run` it times; ``python -m tools.e2e_eval --url``
measures an assistant already running (its RASA_AUTH_TOKEN from the environment or .env).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from bot.kb import evalsets
from bot.kb.glossary import KB_DIR
from bot.kb.schema import load_entries
from bot.settings import get_settings

_ENTRY_RE = re.compile(r'"kb_entry_id":\s*"([^"]+)"')
WORKERS = 2


@dataclass
class Reply:
    """What one question got back."""

    answered: str | None = None  # the answered entry
    offered: list[str] = field(default_factory=list)  # choices and related entries
    appeal_form: bool = False
    intent: str = ""
    reason: str = ""


def read_reply(messages: list[dict[str, Any]], tracker: dict[str, Any]) -> Reply:
    """Read the bot's messages and the conversation's tracker."""
    reply = Reply()
    for message in messages:
        custom = message.get("custom") or {}
        if custom.get("type") == "policy_answer" and reply.answered is None:
            reply.answered = str(custom.get("entry_id"))
        elif custom.get("type") == "policy_choices":
            reply.offered += [str(o["entry_id"]) for o in custom.get("options", [])]
        for button in message.get("buttons") or []:
            match = _ENTRY_RE.search(str(button.get("payload", "")))
            if match and match.group(1) not in reply.offered:
                reply.offered.append(match.group(1))
    loop = (tracker.get("active_loop") or {}).get("name")
    reply.appeal_form = loop == "appeal_form"
    latest = tracker.get("latest_message") or {}
    reply.intent = str((latest.get("intent") or {}).get("name", ""))
    reply.reason = str((latest.get("route") or {}).get("reason", ""))
    return reply


class Assistant:
    """A running assistant's REST channel and tracker API."""

    def __init__(self, rasa_url: str, token: str) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.token = token

    def ask(self, text: str, sender: str) -> Reply:
        """Send ``text`` in a new conversation ``sender`` and read what came back."""
        messages = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        messages.raise_for_status()
        tracker = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        tracker.raise_for_status()
        return read_reply(messages.json(), tracker.json())


def _ask_all(assistant: Assistant, prefix: str, texts: Sequence[str]) -> list[Reply]:
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(
            pool.map(lambda it: assistant.ask(it[1], f"{prefix}-{it[0]}"), enumerate(texts))
        )


def _share(rows: Sequence[bool]) -> float:
    return round(sum(rows) / len(rows), 4) if rows else 0.0


def evaluate(assistant: Assistant, part: str = evalsets.REPORT) -> dict[str, Any]:
    """Ask every question of the ``part`` halves and return the figures."""
    articles = {e.id: e.articles for e in load_entries(KB_DIR)}
    report: dict[str, Any] = {}

    plain = [q for q in evalsets.plain_talk(part) if q.entries]
    replies = _ask_all(assistant, f"e2e-plain-{part}", [q.text for q in plain])
    first = [r.answered in q.entries for q, r in zip(plain, replies, strict=True)]
    among = [
        r.answered in q.entries or bool(set(r.offered) & set(q.entries))
        for q, r in zip(plain, replies, strict=True)
    ]
    report["plain_talk"] = {
        "n": len(plain),
        "answered_first": _share(first),
        "among_answer_or_choices": _share(among),
        "answered_wrong": _share(
            [r.answered is not None and not ok for r, ok in zip(replies, first, strict=True)]
        ),
        "appeal_form": _share([r.appeal_form for r in replies]),
        "intents": dict(Counter(r.intent for r in replies).most_common()),
        "missed": [q.text for q, ok in zip(plain, among, strict=True) if not ok][:20],
    }

    formal = evalsets.document_wording()
    replies = _ask_all(assistant, "e2e-doc", [q.text for q in formal])
    report["document_wording"] = {
        "n": len(formal),
        "answered_first": _share(
            [
                r.answered is not None and articles[r.answered][0] in q.articles
                for q, r in zip(formal, replies, strict=True)
            ]
        ),
    }

    negatives: dict[str, Sequence[str]] = {
        "near_domain": evalsets.near_domain(part),
        "out_of_domain": evalsets.out_of_domain(part),
    }
    for name, texts in negatives.items():
        if not texts:
            report[name] = {"n": 0, "note": "../shared/ood/ not on this machine"}
            continue
        replies = _ask_all(assistant, f"e2e-{name}", texts)
        accepted = [r.answered is not None or r.appeal_form for r in replies]
        report[name] = {
            "n": len(texts),
            "policy_answer_or_appeal_form": _share(accepted),
            "policy_answer": _share([r.answered is not None for r in replies]),
            "appeal_form": _share([r.appeal_form for r in replies]),
            "accepted": [t for t, a in zip(texts, accepted, strict=True) if a][:20],
        }
    return report


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Format the figures for `make bench`."""
    p, d = report["plain_talk"], report["document_wording"]
    lines = [
        f"end to end, plain talk (held-out half, n={p['n']}): right entry answered first "
        f"{p['answered_first']}, among answer or choices {p['among_answer_or_choices']}, "
        f"wrong answer {p['answered_wrong']}, appeal form {p['appeal_form']}",
        f"end to end, document wording (n={d['n']}): right article answered first "
        f"{d['answered_first']}",
    ]
    for name in ("out_of_domain", "near_domain"):
        r = report[name]
        if r["n"]:
            lines.append(
                f"end to end, {name.replace('_', '-')} (n={r['n']}): policy answer or appeal "
                f"form {r['policy_answer_or_appeal_form']} (answers {r['policy_answer']}, "
                f"forms {r['appeal_form']})"
            )
    return lines


def measure_running(rasa_url: str) -> dict[str, Any]:
    """Evaluate an assistant already running at ``rasa_url``."""
    return evaluate(Assistant(rasa_url, get_settings().rasa_auth_token))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the end-to-end figures of a running assistant."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the Rasa server, e.g. http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    report = measure_running(args.url)
    print("\n".join(summary_lines(report)))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
