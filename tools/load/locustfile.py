"""Locust workload of the load benchmark: each simulated user is one REST conversation.

The driver (tools/load/levels.py, for `make loadbench`) runs it headless against our bot and a
stock Rasa bot, with ``LOADBENCH_WAIT_S`` seconds between a user's messages. By hand, from the
repository root:

    LOADBENCH_WAIT_S=1 PYTHONPATH=. .venv/bin/locust -f tools/load/locustfile.py \
        --host http://127.0.0.1:5005 --headless -u 10 -r 10 -t 30s

What each user says comes from tools/load/workload.py (user n says the same to every bot).
Requests are named by kind (policy, appeal, small_talk), so Locust's figures come per kind
too. An answer other than HTTP 200 with a JSON list (the bot's messages) is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import re

from locust import FastHttpUser, constant, task

from tools.load import workload

# Users are numbered in the order Locust starts them: user n gets script n.
_user_numbers = itertools.count()


COUNT_APPEALS = os.environ.get("LOADBENCH_COUNT_APPEALS") == "1"
REFERENCES_FILE = os.environ.get("LOADBENCH_REFERENCES_FILE", "")
CONFIRM = workload.APPEAL_ENDINGS[0]
SUBMITTED = "appeal_submitted"
_REFERENCE = re.compile(r"\b(?:JD-\d{8}-\d{4,}|TMP-[0-9A-Za-z-]+)")


def _has_reference(messages: list[object]) -> bool:
    """Return whether a reply names a tracking number (or the outbox's TMP- reference)."""
    return any(
        isinstance(m, dict) and _REFERENCE.search(str(m.get("text") or "")) for m in messages
    )


class Conversation(FastHttpUser):
    """One user, one conversation: its own sender id for its whole life."""

    wait_time = constant(workload.wait_seconds())
    network_timeout = workload.TIMEOUT_S
    connection_timeout = workload.TIMEOUT_S

    def on_start(self) -> None:
        """Pick this conversation's sender id and script."""
        self.sender = workload.new_sender()
        self.script = workload.Script(next(_user_numbers))

    def say(self, kind: str, text: str) -> None:
        """Send one message; count a non-200 or a body that is not a list as a failure."""
        body = {"sender": self.sender, "message": text}
        with self.client.post(workload.WEBHOOK, json=body, name=kind, catch_response=True) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}")
                return
            try:
                messages = json.loads(reply.text or "")
            except ValueError:
                reply.failure("reply is not JSON")
                return
            if not isinstance(messages, list):
                reply.failure("reply is not a list of messages")
                return
            if COUNT_APPEALS and text == CONFIRM and _has_reference(messages):
                if REFERENCES_FILE:
                    found = _REFERENCE.findall(" ".join(str(m.get("text")) for m in messages))
                    with open(REFERENCES_FILE, "a", encoding="utf-8") as out:
                        out.write(f"{self.sender} {' '.join(found)}\n")
                # tools/soak.py compares the appeals the bot confirmed with those stored.
                self.environment.events.request.fire(
                    request_type="COUNT",
                    name=SUBMITTED,
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )

    @task
    def next_task(self) -> None:
        """Send the script's next task: a question, small talk, or a whole appeal fill."""
        kind, messages = self.script.next_task()
        for i, text in enumerate(messages):
            if i:
                self.wait()  # type: ignore[no-untyped-call]  # Locust leaves it untyped
            self.say(kind, text)
