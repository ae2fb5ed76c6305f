from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAskRephraseWithOptions, ActionGiveUp
from bot.input_guard import MAX_MESSAGE_CHARS

RANKING = [
    {"name": "nlu_fallback", "confidence": 1.0},
    {"name": "check_appeal_status", "confidence": 0.45},
    {"name": "greet", "confidence": 0.3},
    {"name": "file_appeal", "confidence": 0.2},
]


def run(
    action: Any, tracker: Tracker, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return dispatcher.messages, events


def test_first_stage_offers_likely_intents_with_domain_labels(
    make_tracker: Callable[..., Tracker], domain: dict[str, Any]
) -> None:
    messages, events = run(
        ActionAskRephraseWithOptions(), make_tracker("嗯那个啥", RANKING), domain
    )
    assert events == []
    [message] = messages
    assert message["response"] == "utter_ask_rephrase_with_options"
    assert message["buttons"] == [
        {"title": "查询进度", "payload": "/check_appeal_status"},
        {"title": "提交诉求", "payload": "/file_appeal"},
    ]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("", "utter_input_empty"),
        ("<script>alert(1)</script>", "utter_input_markup"),
        ("🙂🙂", "utter_input_no_words"),
        ("Please tell me about tax relief", "utter_input_not_chinese"),
        ("长" * (MAX_MESSAGE_CHARS + 10), "utter_input_too_long"),
    ],
)
def test_both_stages_answer_unusable_input_specifically(
    make_tracker: Callable[..., Tracker], domain: dict[str, Any], text: str, response: str
) -> None:
    messages, _ = run(ActionAskRephraseWithOptions(), make_tracker(text), domain)
    assert [m["response"] for m in messages] == [response]
    assert messages[0]["max_chars"] == MAX_MESSAGE_CHARS
    messages, events = run(ActionGiveUp(), make_tracker(text), domain)
    assert [m["response"] for m in messages] == [response]
    assert events == [UserUtteranceReverted()]


def test_second_stage_offers_the_hotline(
    make_tracker: Callable[..., Tracker], domain: dict[str, Any]
) -> None:
    messages, events = run(ActionGiveUp(), make_tracker("嗯那个啥", RANKING), domain)
    assert [m["response"] for m in messages] == ["utter_default"]
    assert "12345" in domain["responses"]["utter_default"][0]["text"]
    assert events == [UserUtteranceReverted()]


def test_every_unusable_input_response_exists(domain: dict[str, Any]) -> None:
    from bot.fallback import problem_response
    from bot.input_guard import InputProblem

    for problem in InputProblem:
        assert problem_response(problem) in domain["responses"]
