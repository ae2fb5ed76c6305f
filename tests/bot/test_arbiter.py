"""One decision from DIET's reading and the KB's evidence: a table of messages → outcome."""

from __future__ import annotations

from functools import cache

import pytest

from bot import arbiter
from bot.arbiter import Reading, route
from bot.kb.ask import ask
from bot.kb.index import Hit, KbIndex
from bot.kb.search import Decision, SearchResult
from bot.kb.store import load_index

STRONG, ANSWER, CHOICES, NOTHING = "strong", "answer", "choices", "nothing"


@cache
def _index() -> KbIndex:
    return load_index().index


def _kb(kind: str) -> SearchResult:
    """A KB decision of the given kind (the entry does not matter to the arbiter)."""
    hit = Hit(_index().entries[0], 0.5, 0.5, 1.0, 0.95)
    decision = {
        STRONG: Decision.ANSWER,
        ANSWER: Decision.ANSWER,
        CHOICES: Decision.CHOICES,
        NOTHING: Decision.NO_MATCH,
    }[kind]
    selected = [] if kind == NOTHING else [hit]
    return SearchResult("q", decision, [hit], selected, strong=kind == STRONG)


# message, DIET's intent, KB decision, active form → intent, reason, offer an appeal
TABLE = [
    # A strong KB match is a policy question whatever DIET read.
    (
        "小规模纳税人增值税是不是可以少交点",
        "file_appeal",
        STRONG,
        None,
        "ask_policy",
        "kb_strong",
        True,
    ),
    (
        "没裁员的话失业保险能返还一部分吗",
        "out_of_scope",
        STRONG,
        None,
        "ask_policy",
        "kb_strong",
        False,
    ),
    ("你好，人才金卡怎么申请", "greet", STRONG, None, "ask_policy", "kb_strong", False),
    # An ordinary KB answer overrides an appeal, a status check or an unsure DIET ...
    (
        "企业诉求提交以后区里多久能答复",
        "check_appeal_status",
        ANSWER,
        None,
        "ask_policy",
        "kb_answer",
        False,
    ),
    (
        "稳岗补贴一直没到账，是不是还要申请",
        "file_appeal",
        ANSWER,
        None,
        "ask_policy",
        "kb_answer",
        True,
    ),
    # 「有啥」 asks as 「什么」 does (config/arbiter.yml question words)
    (
        "我们是做酒店的，员工留不住，有啥补贴",
        "file_appeal",
        ANSWER,
        None,
        "ask_policy",
        "kb_answer",
        True,
    ),
    # A problem stated, not asked about, is an appeal whatever the KB finds nearest.
    (
        "园区门口的排水管堵了，一下雨仓库就进水",
        "file_appeal",
        STRONG,
        None,
        "file_appeal",
        "classifier",
        False,
    ),
    ("稳岗补贴一直没到账", "file_appeal", ANSWER, None, "file_appeal", "classifier", False),
    ("开办企业要几天", "nlu_fallback", ANSWER, None, "ask_policy", "kb_answer", False),
    # ... but not DIET's out_of_scope: personal matters that sound like enterprise ones.
    ("个税年度汇算怎么退税", "out_of_scope", ANSWER, None, "out_of_scope", "classifier", False),
    ("今天天气怎么样", "out_of_scope", NOTHING, None, "out_of_scope", "classifier", False),
    # Asked in so many words: DIET's reading stands, however well the KB matches.
    ("我要投诉，审批拖了三个月", "file_appeal", STRONG, None, "file_appeal", "explicit", False),
    ("我想反映一下稳岗补贴的问题", "file_appeal", ANSWER, None, "file_appeal", "explicit", False),
    (
        "JD-20261127-0042 进度怎么样",
        "check_appeal_status",
        ANSWER,
        None,
        "check_appeal_status",
        "explicit",
        False,
    ),
    ("金卡的事帮我转人工", "request_human", STRONG, None, "request_human", "explicit", False),
    # Another place's policies are not Jiading's.
    ("闵行区企业服务中心在哪里", "ask_policy", ANSWER, None, "out_of_scope", "elsewhere", False),
    ("浦东的人才公寓怎么申请", "out_of_scope", STRONG, None, "out_of_scope", "elsewhere", False),
    (
        "我在昆山有个厂，想搬到嘉定，这边有什么支持",
        "ask_policy",
        ANSWER,
        None,
        "ask_policy",
        "classifier",
        False,
    ),
    # DIET's policy reading stays (the KB's decision shapes the reply).
    ("有什么补贴", "ask_policy", CHOICES, None, "ask_policy", "classifier", False),
    (
        "我们公司能享受哪些政策",
        "find_policies",
        NOTHING,
        None,
        "find_policies",
        "classifier",
        False,
    ),
    ("第一次轻微违法就被罚款合理吗", "ask_policy", ANSWER, None, "ask_policy", "classifier", True),
    # No answer from the KB: DIET's reading stands.
    (
        "我们厂门口的路灯坏了好几天",
        "file_appeal",
        NOTHING,
        None,
        "file_appeal",
        "classifier",
        False,
    ),
    (
        "诉求办得怎么样了",
        "check_appeal_status",
        CHOICES,
        None,
        "check_appeal_status",
        "classifier",
        False,
    ),
    # A form being filled in reads the message itself.
    ("人才金卡怎么申请", "ask_policy", STRONG, "appeal_form", "ask_policy", "form", False),
    ("安亭镇", "out_of_scope", ANSWER, "appeal_form", "out_of_scope", "form", False),
]


@pytest.mark.parametrize(
    ("text", "diet", "kb", "loop", "intent", "reason", "offer"),
    TABLE,
    ids=[row[0] for row in TABLE],
)
def test_route(
    text: str,
    diet: str,
    kb: str,
    loop: str | None,
    intent: str,
    reason: str,
    offer: bool,
) -> None:
    decided = route(text, Reading(diet, 0.9, ((diet, 0.9),)), _kb(kb), loop)
    assert (decided.intent, decided.reason, decided.offer_appeal) == (intent, reason, offer)


def test_an_unsure_classifier_leaning_to_out_of_scope_is_not_overridden() -> None:
    reading = Reading("nlu_fallback", 0.55, (("nlu_fallback", 0.55), ("out_of_scope", 0.5)))
    assert route("公积金能取出来吗", reading, _kb(ANSWER)).intent == "nlu_fallback"
    leaning = Reading("nlu_fallback", 0.55, (("nlu_fallback", 0.55), ("ask_policy", 0.5)))
    assert route("开办企业要几天", leaning, _kb(ANSWER)).intent == "ask_policy"


@pytest.mark.parametrize(
    ("text", "diet", "intent"),
    [
        # The cases, with the real knowledge base's ranking.
        ("小规模纳税人增值税是不是可以少交点", "file_appeal", "ask_policy"),
        ("我们公司一个人都没裁，失业保险能返还一部分吗", "out_of_scope", "ask_policy"),
        ("企业诉求提交以后区里多久能答复", "check_appeal_status", "ask_policy"),
        ("今天天气怎么样", "out_of_scope", "out_of_scope"),
        ("JD-20261127-0042 进度怎么样", "check_appeal_status", "check_appeal_status"),
    ],
)
def test_route_with_the_real_knowledge_base(text: str, diet: str, intent: str) -> None:
    decided = route(text, Reading(diet, 1.0), ask(_index(), text))
    assert decided.intent == intent


def test_the_words_are_configuration() -> None:
    config = arbiter.load_config()
    assert "投诉" in config.explicit["file_appeal"] and "嘉定" in config.home
    assert arbiter.about_elsewhere("苏州工业园区有什么补贴")
    assert not arbiter.about_elsewhere("嘉定工业区有什么补贴")
