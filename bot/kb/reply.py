"""Reply to a policy question: one path for the chat (actions/policy_qa.py) and the console.

A question is decided once here — a bare follow-up about the entry just discussed, or the
ranking (carried with the message, or made here) judged into an answer, choices or nothing —
and the reply carries everything either caller says: the answered entry, its text with the
question's quantity notes, the contract-2 payload (ARCHITECTURE.md), the choices, the related
entries and the ranking behind it. The callers only choose how to show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from bot.kb.answer import answer_payload, answer_text, choices_payload, followup_payload
from bot.kb.ask import ask
from bot.kb.followup import Aspect, detect_aspect, followup_text, is_bare_followup
from bot.kb.holder import KB
from bot.kb.index import Hit
from bot.kb.quantities import quantity_lines
from bot.kb.schema import Entry
from bot.kb.search import MAX_CHOICES, Decision, SearchResult


class ReplyKind(str, Enum):
    """What the reply is (the first three are the search's decisions, with their values)."""

    ANSWER = Decision.ANSWER.value
    CHOICES = Decision.CHOICES.value
    NO_MATCH = Decision.NO_MATCH.value
    FOLLOWUP = "followup"  # an aspect of the entry just discussed
    WHICH_POLICY = "which_policy"  # a follow-up, but no entry was discussed before


@dataclass(frozen=True)
class Reply:
    """What to say to a policy question, and what it rests on."""

    kind: ReplyKind
    entry: Entry | None = None  # the answered entry, or the one a follow-up is about
    text: str = ""  # the answer or the follow-up's answer ('' otherwise: the bot's responses)
    payload: dict[str, Any] | None = None  # policy_answer, policy_followup or policy_choices
    choices: list[Entry] = field(default_factory=list)
    related: list[Entry] = field(default_factory=list)  # offered beside an answer
    notes: list[str] = field(default_factory=list)  # the question's quantities, on the answer
    aspect: Aspect | None = None
    result: SearchResult | None = None  # the ranking and decision, when the question was judged

    @property
    def entry_id(self) -> str | None:
        """The id of :attr:`entry` (what the conversation remembers)."""
        return self.entry.id if self.entry is not None else None

    @property
    def selected(self) -> list[Entry]:
        """The entries the reply puts forward: the answered one, or the choices."""
        return [self.entry] if self.kind is ReplyKind.ANSWER and self.entry else self.choices

    @property
    def hits(self) -> list[Hit]:
        """The ranked entries behind the decision (none for a follow-up)."""
        return self.result.hits if self.result is not None else []


def answer_reply(entry: Entry, notes: list[str] | None = None) -> Reply:
    """Answer ``entry``: its text and ``policy_answer`` payload, with ``notes`` on both."""
    notes = notes or []
    return Reply(
        ReplyKind.ANSWER,
        entry,
        answer_text(entry, notes),
        answer_payload(entry, notes),
        notes=notes,
    )


def reply_about(entry_id: str) -> Reply | None:
    """Answer the entry a choice button named (None if the KB has no such entry)."""
    entry = KB.entries().get(entry_id)
    return answer_reply(entry) if entry is not None else None


def reply_to(
    question: str,
    previous_entry_id: str | None = None,
    carried: Mapping[str, Any] | None = None,
    *,
    k: int = MAX_CHOICES,
    followups: bool = True,
) -> Reply:
    """Reply to ``question``.

    ``previous_entry_id``: the entry the conversation discussed last, which a bare follow-up
    ("找哪个部门？") is about. ``carried``: the ranking the message's parse data carries
    (the KB router of the Rasa NLU pipeline), decided from without embedding it again.
    ``followups``: False where there is no conversation (the console), so a bare follow-up is
    ranked as any question. ``k``: how many ranked hits to keep.
    """
    stored = KB.get()
    aspect = detect_aspect(question) if followups else None
    if aspect is not None and is_bare_followup(question, stored.index.userdict):
        previous = KB.entries().get(previous_entry_id or "")
        if previous is None:
            return Reply(ReplyKind.WHICH_POLICY, aspect=aspect)
        return Reply(
            ReplyKind.FOLLOWUP,
            previous,
            followup_text(previous, aspect),
            # Which entry it was about, without the card again (the answer showed it).
            followup_payload(previous, aspect.value),
            aspect=aspect,
        )
    result = ask(stored.index, question, carried, k=k)
    if result.decision is Decision.ANSWER:
        entry = result.selected[0].entry
        answered = answer_reply(entry, quantity_lines(question, entry.id))
        return replace(answered, related=[h.entry for h in result.related], result=result)
    if result.decision is Decision.CHOICES:
        options = [h.entry for h in result.selected]
        return Reply(
            ReplyKind.CHOICES, payload=choices_payload(options), choices=options, result=result
        )
    return Reply(ReplyKind.NO_MATCH, result=result)
