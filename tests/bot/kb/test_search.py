from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from bot.kb.index import Params
from bot.kb.search import MAX_CHOICES, Decision, decide
from bot.kb.store import StoredIndex
from bot.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("生意做不下去了，公司怎么销户", "government-services-deregistration"),
        ("新来的研发总监想落户上海，区里能帮吗", "human-resources-special-talent-introduction"),
        ("嘉定精英人才服务金卡", "human-resources-gold-card"),
    ],
)
def test_plain_talk_finds_the_entry(stored: StoredIndex, question: str, entry_id: str) -> None:
    result = decide(stored.index, question)
    assert result.hits[0].entry.id == entry_id
    assert result.decision is Decision.ANSWER


@pytest.mark.parametrize("question", ["今天天气怎么样", "番茄炒蛋怎么做好吃", "帮我讲个笑话"])
def test_everyday_requests_are_not_answered(stored: StoredIndex, question: str) -> None:
    assert decide(stored.index, question).decision is not Decision.ANSWER


def test_thresholds_decide(stored: StoredIndex) -> None:
    index = stored.index
    question = "生意做不下去了，公司怎么销户"
    top = index.search(question)[0].score
    for params, decision in [
        (Params(answer_threshold=top - 0.01, choice_threshold=0.0), Decision.ANSWER),
        (Params(answer_threshold=top + 0.01, choice_threshold=top - 0.01), Decision.CHOICES),
        (Params(answer_threshold=top + 0.02, choice_threshold=top + 0.01), Decision.NO_MATCH),
    ]:
        tuned = dataclasses.replace(
            index,
            params=dataclasses.replace(
                params, alpha=index.params.alpha, temperature=index.params.temperature
            ),
        )
        result = decide(tuned, question)
        assert result.decision is decision
        assert (
            len(result.selected)
            == {Decision.ANSWER: 1, Decision.CHOICES: MAX_CHOICES, Decision.NO_MATCH: 0}[decision]
            or decision is Decision.CHOICES
        )


def test_calibration_is_recorded(stored: StoredIndex) -> None:
    c = stored.calibration
    assert 0 < c.params.choice_threshold <= c.params.answer_threshold < 1
    assert c.held_out > 100
    assert c.answer_precision >= 0.95


def test_staff_search_command_prints_ranked_json() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.kb", "search", "公司注销要登报吗", "-k", "4"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(proc.stdout)
    assert result["question"] == "公司注销要登报吗"
    assert result["decision"] in {"answer", "choices", "no_match"}
    scores = [h["score"] for h in result["hits"]]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    assert {"entry_id", "title", "articles", "learned", "lexical"} <= set(result["hits"][0])
