"""One decision for a message, from the intent classifier's reading and the KB's evidence.

DIET reads a message as one intent; the knowledge base knows whether the message matches a
policy entry. Either alone misroutes plain talk: DIET put a shop owner's VAT question into the
appeal form and asked someone wanting to know how long appeals take for a tracking number,
while the KB alone would answer «个人所得税» questions. The rules, in order:

1. A form is being filled in: the form reads the message (its own policy check stays).
2. The message asks for something else in so many words (投诉/反映/登记诉求, 转人工, a
   tracking number): DIET's reading stands.
3. The message is about another place's policies and not Jiading's: not a policy answer.
4. The KB answers it *strongly* (thresholds calibrated on out-of-domain queries alone): a
   policy question, whatever DIET read — but a message DIET read as an appeal only if it is
   phrased as a question: «园区门口的排水管堵了» is a problem to be handled, not a question
   whatever entry the KB finds nearest.
5. DIET read a policy question: it stays one (the KB's decision makes the reply).
6. The KB answers it and DIET read an appeal (phrased as a question), a status check or was
   unsure: a policy question (general questions about how appeals work are articles 9-13,
   not status checks). DIET's
   ``out_of_scope``, or an unsure DIET leaning to it, stands against an ordinary answer: that
   is where personal matters that sound like enterprise ones go.
7. Otherwise DIET's reading stands.

A policy answer to a message that also carries a grievance (DIET read an appeal, or it says
罚款/不合理/…) offers to file an appeal beside the answer; the appeal form is never started
unasked. The words and places are data (``config/arbiter.yml``). No Rasa import: the NLU
component ``bot.rasa_ext.nlu.kb_router`` applies this to each parsed message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.appeals.dialogue import looks_like_question
from bot.appeals.status import find_reference
from bot.kb.search import Decision, SearchResult
from bot.kb.text import normalise
from bot.settings import PROJECT_ROOT

ARBITER_FILE = PROJECT_ROOT / "config" / "arbiter.yml"
ASK_POLICY = "ask_policy"
POLICY_INTENTS = frozenset({ASK_POLICY, "find_policies"})
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
FILE_APPEAL = "file_appeal"
CHECK_STATUS = "check_appeal_status"
# Readings an ordinary KB answer overrides (rule 6).
OVERRIDABLE = frozenset({FILE_APPEAL, CHECK_STATUS, FALLBACK})


@dataclass(frozen=True)
class ArbiterConfig:
    """Words and places the rules look for (``config/arbiter.yml``)."""

    explicit: dict[str, tuple[str, ...]]
    grievance: tuple[str, ...]
    question: tuple[str, ...]
    home: tuple[str, ...]
    elsewhere: tuple[str, ...]


@cache
def load_config(path: Path = ARBITER_FILE) -> ArbiterConfig:
    """Read the arbiter's words and places."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def words(items: Sequence[str]) -> tuple[str, ...]:
        return tuple(normalise(str(w)) for w in items)

    return ArbiterConfig(
        {intent: words(ws) for intent, ws in data["explicit"].items()},
        words(data["grievance"]),
        words(data["question"]),
        words(data["home"]),
        words(data["elsewhere"]),
    )


@dataclass(frozen=True)
class Reading:
    """What the intent classifier made of the message: its intent and ranking."""

    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Route:
    """The decision: the intent the dialogue acts on and why."""

    intent: str
    confidence: float
    reason: str
    offer_appeal: bool = False

    def as_dict(self, reading: Reading) -> dict[str, Any]:
        """Return a JSON-ready form for the parse data (with DIET's own reading)."""
        return {
            "reason": self.reason,
            "offer_appeal": self.offer_appeal,
            "classifier": {"name": reading.intent, "confidence": round(reading.confidence, 4)},
        }


def explicit_request(text: str, config: ArbiterConfig | None = None) -> str | None:
    """Return what the message asks for in so many words (an intent name), if anything."""
    config = config or load_config()
    if find_reference(text):
        return CHECK_STATUS
    plain = normalise(text)
    for intent, words in config.explicit.items():
        if any(w in plain for w in words):
            return intent
    return None


def about_elsewhere(text: str, config: ArbiterConfig | None = None) -> bool:
    """Whether the message names another place and not Jiading."""
    config = config or load_config()
    plain = normalise(text)
    if any(h in plain for h in config.home):
        return False
    return any(p in plain for p in config.elsewhere)


def asks(text: str, config: ArbiterConfig | None = None) -> bool:
    """Whether the message is phrased as a question (the appeal form's markers and more)."""
    config = config or load_config()
    return looks_like_question(text) or any(w in normalise(text) for w in config.question)


def has_grievance(text: str, config: ArbiterConfig | None = None) -> bool:
    """Whether the message carries a grievance (罚款, 不合理, …)."""
    config = config or load_config()
    plain = normalise(text)
    return any(w in plain for w in config.grievance)


def route(
    text: str,
    reading: Reading,
    kb: SearchResult | None,
    active_loop: str | None = None,
) -> Route:
    """Decide what the dialogue acts on (see the module's docstring for the rules)."""
    config = load_config()
    keep = Route(reading.intent, reading.confidence, "classifier")
    if active_loop:
        return Route(reading.intent, reading.confidence, "form")
    if explicit_request(text, config):
        return Route(reading.intent, reading.confidence, "explicit")
    answered = kb is not None and kb.decision is Decision.ANSWER
    if about_elsewhere(text, config):
        if reading.intent in POLICY_INTENTS or answered:
            return Route(OUT_OF_SCOPE, 1.0, "elsewhere")
        return keep
    grievance = reading.intent == FILE_APPEAL or has_grievance(text, config)
    if reading.intent == FILE_APPEAL and not asks(text, config):
        return keep
    if answered and kb is not None and kb.strong:
        return Route(ASK_POLICY, 1.0, "kb_strong", offer_appeal=grievance)
    if reading.intent in POLICY_INTENTS:
        return Route(reading.intent, reading.confidence, "classifier", offer_appeal=grievance)
    if answered and reading.intent in OVERRIDABLE and _runner_up(reading) != OUT_OF_SCOPE:
        return Route(ASK_POLICY, 1.0, "kb_answer", offer_appeal=grievance)
    return keep


def _runner_up(reading: Reading) -> str | None:
    """Return the classifier's best intent other than the fallback (where DIET leaned)."""
    if reading.intent != FALLBACK:
        return reading.intent
    return next((name for name, _ in reading.ranking if name != FALLBACK), None)
