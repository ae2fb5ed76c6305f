"""Choose what the first fallback stage offers when the classifier is unsure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.input_guard import InputProblem

# Intents offered when the ranking suggests nothing useful: the main services.
DEFAULT_OPTIONS = ("ask_policy", "file_appeal", "check_appeal_status", "request_human")
# Below this confidence an intent is not worth offering.
MIN_OPTION_CONFIDENCE = 0.05
MAX_OPTIONS = 3


def likely_intents(
    ranking: Iterable[Mapping[str, Any]],
    offerable: Iterable[str],
    limit: int = MAX_OPTIONS,
    min_confidence: float = MIN_OPTION_CONFIDENCE,
) -> list[str]:
    """Return up to ``limit`` offerable intents from an NLU ranking, most likely first.

    Falls back to the main services when no ranked intent qualifies.
    """
    allowed = set(offerable)
    picked: list[str] = []
    for item in ranking:
        name = item.get("name")
        confidence = float(item.get("confidence") or 0.0)
        if name in allowed and name not in picked and confidence >= min_confidence:
            picked.append(str(name))
        if len(picked) == limit:
            break
    if picked:
        return picked
    return [name for name in DEFAULT_OPTIONS if name in allowed][:limit]


def problem_response(problem: InputProblem) -> str:
    """Name of the domain response that answers input with ``problem``."""
    return f"utter_input_{problem.value}"
