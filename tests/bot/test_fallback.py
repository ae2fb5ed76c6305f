from __future__ import annotations

from bot.fallback import DEFAULT_OPTIONS, MAX_OPTIONS, likely_intents, problem_response
from bot.input_guard import InputProblem

OFFERABLE = {"ask_policy", "file_appeal", "check_appeal_status", "request_human"}


def test_offers_ranked_offerable_intents_in_order() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 1.0},
        {"name": "file_appeal", "confidence": 0.4},
        {"name": "greet", "confidence": 0.3},
        {"name": "check_appeal_status", "confidence": 0.2},
        {"name": "ask_policy", "confidence": 0.1},
        {"name": "request_human", "confidence": 0.06},
    ]
    assert (
        likely_intents(ranking, OFFERABLE)
        == [
            "file_appeal",
            "check_appeal_status",
            "ask_policy",
        ][:MAX_OPTIONS]
    )


def test_skips_negligible_confidence_and_falls_back_to_main_services() -> None:
    ranking = [{"name": "file_appeal", "confidence": 0.001}, {"name": "greet", "confidence": 0.9}]
    assert likely_intents(ranking, OFFERABLE) == list(DEFAULT_OPTIONS[:MAX_OPTIONS])


def test_no_duplicates_and_handles_missing_fields() -> None:
    ranking = [
        {"name": "ask_policy", "confidence": 0.5},
        {"name": "ask_policy", "confidence": 0.4},
        {"confidence": 0.3},
        {"name": "request_human"},
    ]
    assert likely_intents(ranking, OFFERABLE) == ["ask_policy"]


def test_problem_response_names() -> None:
    assert problem_response(InputProblem.TOO_LONG) == "utter_input_too_long"
