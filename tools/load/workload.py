"""What the simulated users of the load benchmark say (Locust's workload, without Locust).

Importing Locust monkey-patches the process with gevent, so the driver and the tests import
only this module; tools/load/locustfile.py turns it into Locust tasks.

Each simulated user is one conversation. Per message sent, the mix is 70% policy questions
(the development set), 20% appeal-form turns (a full, valid fill, then 确认提交 or 取消) and
10% small talk. An appeal is one task of :data:`APPEAL_TURNS` messages, so the task weights
are the message shares divided by the messages per task (see :func:`message_mix`).

User number n follows the same :class:`Script` against every bot (its random choices are
seeded by n), so the stock bot and ours get the same traffic, not just the same proportions.
"""

from __future__ import annotations

import os
import random
import uuid
from functools import lru_cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEV_SET = PROJECT_ROOT / "tests" / "data" / "policy_dev.yml"

WEBHOOK = "/webhooks/rest/webhook"
# Seconds between one user's messages: set by the driver (1 s; 0 for saturation).
WAIT_ENV = "LOADBENCH_WAIT_S"
# Seconds Locust waits for a reply before counting the message as an error.
TIMEOUT_S = 60.0

SMALL_TALK = ("你好", "谢谢", "你是机器人吗")

# A valid fill of the appeal form (config/appeal_fields.yml; tests/integration/test_appeal.py).
APPEAL_OPENINGS = ("我要反映一个问题", "/file_appeal")
ENTERPRISE_NAMES = ("上海嘉定示例智能科技有限公司", "上海嘉定示例物流有限公司")
CREDIT_CODE = "91310114MA1GY5BM3N"
CONTACT_NAMES = ("王晓明", "李敏")
PHONE = "13812345678"
TOWNS = ("安亭镇", "南翔镇", "马陆镇")
CATEGORIES = ("税务", "人才服务", "其他")
DESCRIPTIONS = (
    "我司计划在南翔镇扩建厂房，想了解施工许可需要准备哪些材料、大约多长时间能办结。",
    "厂区外面的路灯坏了半年，工人夜里下班不安全，希望尽快安排维修。",
    "出口退税申报材料提交两个月了还没有结果，想知道卡在哪个环节。",
)
APPEAL_ENDINGS = ("确认提交", "取消")
# Opening, the seven fields (enterprise name, credit code, contact, phone, town, category,
# description), then the ending.
APPEAL_TURNS = 9

# Task weights: messages per task x weight gives the message mix (70 / 20 / 10).
WEIGHTS = {"policy": 63, "appeal": 2, "small_talk": 9}
TURNS = {"policy": 1, "appeal": APPEAL_TURNS, "small_talk": 1}
# Seeds every user's script (with the user's number): change it for other conversations.
SEED_ENV = "LOADBENCH_SEED"
DEFAULT_SEED = "jiading"


def message_mix(
    weights: dict[str, int] | None = None, turns: dict[str, int] | None = None
) -> dict[str, float]:
    """Return each kind's expected share of the messages sent, from the task weights."""
    weights = WEIGHTS if weights is None else weights
    turns = TURNS if turns is None else turns
    messages = {kind: weight * turns[kind] for kind, weight in weights.items()}
    total = sum(messages.values())
    return {kind: count / total for kind, count in messages.items()}


@lru_cache(maxsize=1)
def policy_questions() -> tuple[str, ...]:
    """Return the development set's questions (tests/data/policy_dev.yml)."""
    data = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))
    return tuple(str(item["q"]) for item in data["questions"])


def appeal_turns(rng: random.Random) -> list[str]:
    """Return one appeal conversation: opening, a valid answer to each field, the ending."""
    return [
        rng.choice(APPEAL_OPENINGS),
        rng.choice(ENTERPRISE_NAMES),
        CREDIT_CODE,
        rng.choice(CONTACT_NAMES),
        PHONE,
        rng.choice(TOWNS),
        rng.choice(CATEGORIES),
        rng.choice(DESCRIPTIONS),
        rng.choice(APPEAL_ENDINGS),
    ]


class Script:
    """What one simulated user says, task by task; the same for the same user number."""

    def __init__(self, user_no: int, seed: str | None = None) -> None:
        seed = os.environ.get(SEED_ENV, DEFAULT_SEED) if seed is None else seed
        self.rng = random.Random(f"{seed}/{user_no}")

    def next_task(self) -> tuple[str, list[str]]:
        """Return the next task's kind and its messages (an appeal: the whole fill)."""
        kinds = list(WEIGHTS)
        kind = self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        if kind == "policy":
            return kind, [self.rng.choice(policy_questions())]
        if kind == "small_talk":
            return kind, [self.rng.choice(SMALL_TALK)]
        return kind, appeal_turns(self.rng)


def wait_seconds() -> float:
    """Return the wait between one user's messages (``LOADBENCH_WAIT_S``, default 1 s)."""
    return float(os.environ.get(WAIT_ENV, "1"))


def new_sender() -> str:
    """Return a fresh sender id: one per simulated user (one conversation)."""
    return f"load-{uuid.uuid4().hex}"
