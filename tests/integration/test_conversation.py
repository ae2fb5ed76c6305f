"""Multi-turn conversations with the real processes over the REST channel."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from bot.input_guard import MAX_MESSAGE_CHARS
from bot.stack import Stack

pytestmark = pytest.mark.integration

Say = Callable[[str, str], list[dict[str, Any]]]
Responses = dict[str, list[dict[str, Any]]]
CJK = re.compile(r"[\u4e00-\u9fff]")


def text_of(responses: Responses, name: str, **values: Any) -> str:
    return str(responses[name][0]["text"]).format(**values)


def new_sender() -> str:
    return f"it-{uuid.uuid4().hex}"


def test_health_endpoints(stack: Stack) -> None:
    assert requests.get(stack.url("service") + "/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.get(stack.url("Rasa server") + "/", timeout=5).status_code == 200
    assert requests.get(stack.url("action server") + "/health", timeout=5).status_code == 200


def test_rasa_http_api_requires_the_token(stack: Stack) -> None:
    status = stack.url("Rasa server") + "/status"
    assert requests.get(status, timeout=5).status_code == 401
    assert requests.get(status, params={"token": "wrong"}, timeout=5).status_code == 401
    ok = requests.get(status, params={"token": stack.settings.rasa_auth_token}, timeout=5)
    assert ok.status_code == 200
    assert ok.json()["model_file"].endswith(".tar.gz")


def test_multi_turn_conversation(say: Say, responses: Responses, stack: Stack) -> None:
    user = new_sender()
    [greeting] = say(user, "你好")
    assert greeting["text"] == text_of(responses, "utter_greet")
    assert [b["title"] for b in greeting["buttons"]] == [
        "政策咨询",
        "政策匹配",
        "提交诉求",
        "查询进度",
        "联系人工",
    ]

    # An appeal starts the form (tests/integration/test_appeal.py goes through it).
    intro, _ask = say(user, "我们厂区门口那条路坑坑洼洼的，货车进不来，能找人修一下吗")
    assert intro["text"] == text_of(responses, "utter_appeal_intro_prefilled")
    [cancelled] = say(user, "取消")
    assert cancelled["text"] == text_of(responses, "utter_appeal_cancelled")
    policy = say(user, "我们的技术骨干能办人才金卡吗")
    assert policy[0]["text"].endswith("（依据：嘉府规〔2020〕8号 第二十九条）")
    assert policy[1]["custom"]["type"] == "policy_answer"
    # The number comes from the message; the phone's last four digits are asked.
    [ask] = say(user, "帮我查下诉求进度，编号JD-20261127-0042")
    assert ask["text"] == text_of(responses, "utter_ask_status_phone_last4")
    [unknown] = say(user, "5678")
    assert unknown["text"] == text_of(responses, "utter_status_not_found")
    # The REST channel cannot receive an agent's messages: no handoff, the user is told so.
    [human] = say(user, "转人工")
    assert human["text"] == text_of(responses, "utter_handoff_unsupported_channel")

    [challenge] = say(user, "你是真人还是机器人")
    assert challenge["text"] == text_of(responses, "utter_iamabot")
    [oos] = say(user, "明天上海会下雨吗")
    assert oos["text"] == text_of(responses, "utter_out_of_scope")
    [thanks] = say(user, "好的谢谢你")
    assert thanks["text"] == text_of(responses, "utter_you_are_welcome")
    [bye] = say(user, "拜拜")
    assert bye["text"] == text_of(responses, "utter_goodbye")

    # The conversation is kept in the SQLite tracker store.
    tracker = requests.get(
        f"{stack.url('Rasa server')}/conversations/{user}/tracker",
        params={"token": stack.settings.rasa_auth_token},
        timeout=10,
    ).json()
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said[0] == "你好" and said[-1] == "拜拜"
    assert stack.settings.tracker_db.exists()


def test_two_stage_fallback(say: Say, responses: Responses) -> None:
    user = new_sender()
    [first] = say(user, "/nlu_fallback")
    assert first["text"] == text_of(responses, "utter_ask_rephrase_with_options")
    assert first["buttons"], "the first stage offers the likely intents as buttons"
    assert all(b["payload"].startswith("/") for b in first["buttons"])
    [second] = say(user, "/nlu_fallback")
    assert second["text"] == text_of(responses, "utter_default")
    assert "12345" in second["text"]
    # The conversation goes on normally afterwards.
    [greeting] = say(user, "你好")
    assert greeting["text"] == text_of(responses, "utter_greet")


def test_fallback_clarified_by_a_button(say: Say, responses: Responses) -> None:
    user = new_sender()
    [first] = say(user, "/nlu_fallback")
    payloads = {b["payload"] for b in first["buttons"]}
    assert "/file_appeal" in payloads
    clarified = say(user, "/file_appeal")
    assert clarified[0]["text"] == text_of(responses, "utter_appeal_intro")


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("", "utter_input_empty"),
        ("   \n  ", "utter_input_empty"),
        ("企" * 5000, "utter_input_too_long"),
        ("😀😂👍🎉", "utter_input_no_words"),
        ("How can I get a tax refund for my company?", "utter_input_not_chinese"),
        ("<script>alert('x')</script>", "utter_input_markup"),
        ('<a href="javascript:alert(1)">点我</a>', "utter_input_markup"),
    ],
)
def test_bad_input_gets_a_polite_chinese_reply(
    say: Say, responses: Responses, text: str, response: str
) -> None:
    user = new_sender()
    # Twice in a row: both fallback stages answer with the specific reply.
    for _ in range(2):
        [reply] = say(user, text)
        assert reply["text"] == text_of(responses, response, max_chars=MAX_MESSAGE_CHARS)
        assert CJK.search(reply["text"])
    [greeting] = say(user, "您好")
    assert greeting["text"] == text_of(responses, "utter_greet")


def test_policy_answer_follows_contract_2(say: Say, responses: Responses) -> None:
    user = new_sender()
    messages = say(user, "生意做不下去了，公司怎么销户")
    text, custom, disclaimer = messages
    payload = custom["custom"]
    # contract 2's keys, and what a channel rendering a card needs to say the answer once
    assert set(payload) == {
        *("type", "articles", "entry_id", "title", "departments", "source"),
        *("answer", "citation", "status"),
    }
    assert payload["type"] == "policy_answer"
    assert payload["citation"] == "嘉府规〔2020〕8号 第十六条"
    assert all(line in text["text"] for line in payload["answer"].splitlines())
    assert "依据" not in payload["answer"] and "牵头单位" not in payload["answer"]
    assert payload["articles"][0] == 16
    assert payload["source"] == "嘉府规〔2020〕8号"
    assert payload["departments"] == {"lead": ["区市场监管局"], "responsible": ["区税务局"]}
    assert "牵头单位：区市场监管局" in text["text"]
    assert text["text"].endswith("（依据：嘉府规〔2020〕8号 第十六条）")
    assert disclaimer["text"] == text_of(responses, "utter_policy_disclaimer")
    # The note comes once per conversation.
    again = say(user, "注销还要登报公告吗")
    assert all(m.get("text") != disclaimer["text"] for m in again)


def test_policy_choice_button_answers_the_chosen_entry(say: Say) -> None:
    user = new_sender()
    messages = say(user, '/ask_policy{"kb_entry_id": "human-resources-silver-card"}')
    assert messages[1]["custom"]["entry_id"] == "human-resources-silver-card"
    assert messages[0]["text"].endswith("第二十九条）")


def test_policy_menu_button_asks_for_the_question(say: Say, responses: Responses) -> None:
    [reply] = say(new_sender(), "/ask_policy")
    assert reply["text"] == text_of(responses, "utter_ask_policy_question")


def test_followups_refer_to_the_entry_just_discussed(say: Say) -> None:
    user = new_sender()
    first = say(user, "生意做不下去了，公司怎么销户")
    entry_id = first[1]["custom"]["entry_id"]
    followup = say(user, "找哪个部门？")
    assert "的牵头单位是区市场监管局" in followup[0]["text"]
    assert followup[1]["custom"] == {
        "type": "policy_followup",
        "entry_id": entry_id,
        "aspect": "department",
        "articles": [16],
    }
    # A new topic switches cleanly.
    silver = say(user, "那银卡呢？")
    assert silver[1]["custom"]["entry_id"] == "human-resources-silver-card"
    how = say(user, "需要什么条件？")
    assert how[1]["custom"]["entry_id"] == "human-resources-silver-card"


@pytest.mark.parametrize(
    ("question", "entry_id", "service"),
    [
        (
            "我们外资项目投资五千万美元，区里谁来对接",
            "communication-key-projects",
            "由相关职能部门和街镇领导联系",
        ),
        (
            "内资项目投资二十亿，区领导会联系我们吗",
            "communication-key-projects",
            "由区四套班子领导联系",
        ),
        ("六千平方米的仓库，施工许可怎么办比较快", "construction-one-stop-center", "“一站式中心”"),
    ],
)
def test_quantities_are_compared_with_the_thresholds(
    say: Say, question: str, entry_id: str, service: str
) -> None:
    messages = say(new_sender(), question)
    assert messages[1]["custom"]["entry_id"] == entry_id
    assert service in messages[0]["text"]
    assert messages[0]["text"].endswith("条）")
