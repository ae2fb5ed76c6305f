"""One reply to a policy question for the chat and the console (bot.kb.reply)."""

from __future__ import annotations

from typing import Any

import pytest

from bot import embedding
from bot.kb.answer import answer_payload, answer_text, choices_payload, followup_payload
from bot.kb.followup import Aspect, followup_text
from bot.kb.holder import stored_index
from bot.kb.reply import ReplyKind, reply_about, reply_to
from bot.kb.schema import Entry

GOLD = "human-resources-gold-card"
SILVER = "human-resources-silver-card"


def entry(entry_id: str) -> Entry:
    return next(e for e in stored_index().index.entries if e.id == entry_id)


def carried(*entry_ids: str, named: tuple[str, ...] = ()) -> dict[str, Any]:
    """A ranking as the parse data carries it (the KB router of the Rasa NLU pipeline)."""
    hits = [
        {"entry_id": e, "score": 0.9, "learned": 0.9, "lexical": 5.0, "semantic": 0.9}
        for e in entry_ids
    ]
    return {"hits": hits, "named": list(named), "similarity": 0.9}


@pytest.mark.parametrize(
    ("question", "kind", "entry_id"),
    [
        ("生意做不下去了，公司怎么销户", ReplyKind.ANSWER, "government-services-deregistration"),
        ("人才金卡怎么申请？", ReplyKind.ANSWER, GOLD),
        ("银卡需要什么条件？", ReplyKind.ANSWER, SILVER),  # names its topic: not a follow-up
        ("第一次轻微违法就被罚款，这合理吗", ReplyKind.ANSWER, "legal-no-penalty-lists"),
        ("今天天气怎么样", ReplyKind.NO_MATCH, None),
        ("番茄炒蛋先放蛋还是先放番茄", ReplyKind.NO_MATCH, None),
        ("找哪个部门？", ReplyKind.WHICH_POLICY, None),  # a follow-up, nothing discussed yet
        ("需要什么条件？", ReplyKind.WHICH_POLICY, None),
    ],
)
def test_a_question_gets_its_decision_and_entry(
    question: str, kind: ReplyKind, entry_id: str | None
) -> None:
    reply = reply_to(question)
    assert (reply.kind, reply.entry_id) == (kind, entry_id)


def test_an_answer_carries_the_text_and_payload_the_bot_sends() -> None:
    reply = reply_to("生意做不下去了，公司怎么销户")
    answered = entry("government-services-deregistration")
    assert reply.text == answer_text(answered)
    assert reply.payload == answer_payload(answered)
    assert reply.selected == [answered] and reply.choices == []
    assert reply.result is not None and reply.hits[0].entry == answered


def test_the_question_s_quantities_are_noted_on_the_answer() -> None:
    reply = reply_to("投资二十亿的项目有什么支持")
    assert reply.kind is ReplyKind.ANSWER and reply.entry is not None
    assert reply.notes and "20亿元" in reply.notes[0]
    assert reply.text == answer_text(reply.entry, reply.notes)
    assert reply.payload == answer_payload(reply.entry, reply.notes)


def test_related_entries_are_offered_beside_an_answer() -> None:
    reply = reply_to("我们想上市")
    assert reply.kind is ReplyKind.ANSWER and reply.related
    assert reply.entry not in reply.related


def test_a_bare_followup_is_about_the_previous_entry() -> None:
    reply = reply_to("找哪个部门？", GOLD)
    gold = entry(GOLD)
    assert (reply.kind, reply.entry, reply.aspect) == (ReplyKind.FOLLOWUP, gold, Aspect.DEPARTMENT)
    assert reply.text == followup_text(gold, Aspect.DEPARTMENT)
    assert reply.payload == followup_payload(gold, "department")
    assert reply.hits == []


def test_an_unknown_previous_entry_is_no_entry() -> None:
    assert reply_to("找哪个部门？", "no-such-entry").kind is ReplyKind.WHICH_POLICY


def test_without_a_conversation_a_bare_followup_is_ranked() -> None:
    """The console has no previous entry: it ranks "找哪个部门？" as any question."""
    reply = reply_to("找哪个部门？", followups=False)
    assert reply.kind is not ReplyKind.WHICH_POLICY and reply.result is not None


def test_the_carried_ranking_is_decided_without_embedding() -> None:
    before = embedding.encoded()
    reply = reply_to("随便问问（不会再嵌入）", carried=carried(GOLD, SILVER, named=(GOLD, SILVER)))
    assert embedding.encoded() == before
    assert reply.kind is ReplyKind.CHOICES and reply.entry is None
    assert [e.id for e in reply.choices] == [GOLD, SILVER] == [e.id for e in reply.selected]
    assert reply.payload == choices_payload(reply.choices)
    assert reply.text == ""


def test_a_choice_button_answers_its_entry() -> None:
    reply = reply_about(SILVER)
    assert reply is not None and reply.kind is ReplyKind.ANSWER
    assert reply.payload == answer_payload(entry(SILVER))
    assert reply.related == [] and reply.result is None
    assert reply_about("no-such-entry") is None
    assert reply_about("") is None
