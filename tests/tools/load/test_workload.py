"""What the simulated users say: the message mix, appeal fills, per-user scripts."""

from __future__ import annotations

import random

import pytest

from bot.appeals import fields
from tools.load import workload


def test_the_message_mix_is_70_20_10() -> None:
    mix = workload.message_mix()
    assert mix == pytest.approx({"policy": 0.7, "appeal": 0.2, "small_talk": 0.1})
    # Weights count tasks; an appeal task sends several messages.
    assert workload.message_mix({"a": 1, "b": 1}, {"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}


def test_an_appeal_task_sends_a_valid_fill_then_confirms_or_cancels() -> None:
    rng = random.Random(7)
    for _ in range(20):
        turns = workload.appeal_turns(rng)
        assert len(turns) == workload.APPEAL_TURNS == workload.TURNS["appeal"]
        opening, name, code, contact, phone, town, category, description, ending = turns
        assert opening in workload.APPEAL_OPENINGS
        for check, value in (
            (fields.enterprise_name, name),
            (fields.credit_code, code),
            (fields.contact_name, contact),
            (fields.phone, phone),
            (fields.town, town),
            (fields.category, category),
            (fields.description, description),
        ):
            assert isinstance(check(value), fields.Valid), (check.__name__, value)
        assert ending in ("确认提交", "取消")


def test_policy_questions_come_from_the_development_set() -> None:
    questions = workload.policy_questions()
    assert len(questions) > 100 and all(questions)


def test_scripts_send_the_mix_and_are_the_same_for_the_same_user() -> None:
    sent = {kind: 0 for kind in workload.WEIGHTS}
    for user in range(50):
        script = workload.Script(user, seed="test")
        for _ in range(200):
            kind, messages = script.next_task()
            assert len(messages) == workload.TURNS[kind]
            sent[kind] += len(messages)
    total = sum(sent.values())
    shares = {kind: n / total for kind, n in sent.items()}
    assert shares == pytest.approx({"policy": 0.7, "appeal": 0.2, "small_talk": 0.1}, abs=0.02)

    def first_tasks(user: int, seed: str) -> list[tuple[str, list[str]]]:
        script = workload.Script(user, seed=seed)
        return [script.next_task() for _ in range(30)]

    # User n says the same to every bot; another user or seed says something else.
    assert first_tasks(3, "a") == first_tasks(3, "a")
    assert first_tasks(3, "a") != first_tasks(4, "a")
    assert first_tasks(3, "a") != first_tasks(3, "b")
