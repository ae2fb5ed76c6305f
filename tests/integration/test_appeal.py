"""Filing an appeal through the REST channel with the real processes, then finding it."""

from __future__ import annotations

import re
import time

import pytest
import requests

from bot.servicedb.tokens import Actor
from bot.stack import Stack
from tests.integration.test_conversation import Responses, Say, new_sender, text_of

pytestmark = pytest.mark.integration

TRACKING = re.compile(r"JD-\d{8}-\d{4}")


def texts(messages: list[dict[str, object]]) -> list[str]:
    return [str(m.get("text", "")) for m in messages]


def test_file_an_appeal_with_a_question_and_a_correction_then_find_it(
    say: Say, responses: Responses, stack: Stack
) -> None:
    user = new_sender()
    # The first message tells the matter: it becomes the description.
    intro, ask = say(user, "厂区外面的路灯坏了半年，工人夜里下班不安全")
    assert intro["text"] == text_of(responses, "utter_appeal_intro_prefilled")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_enterprise_name")
    [ask] = say(user, "上海嘉定示例智能科技有限公司")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_credit_code")
    # A wrong check character: a specific explanation with an example, then asked again.
    problem, ask = say(user, "91310114MA1GY5BM3X")
    assert "校验位" in str(problem["text"]) and "例如" in str(problem["text"])
    assert ask["text"] == text_of(responses, "utter_ask_appeal_credit_code")
    # Lower case is accepted; before the contact details the bot says why it needs them.
    privacy, ask = say(user, "91310114ma1gy5bm3n")
    retention = stack.settings.personal_data_retention_days
    assert privacy["text"] == text_of(responses, "utter_appeal_privacy", retention_days=retention)
    assert ask["text"] == text_of(responses, "utter_ask_appeal_contact_name")
    [ask] = say(user, "王晓明")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_phone")
    [ask] = say(user, "138 1234 5678")
    assert ask["text"] == "企业位于哪个街镇？" and len(ask["buttons"]) == 13
    # A policy question in the middle: answered, then the form goes on.
    replies = say(user, "人才金卡怎么申请？")
    assert any(t.endswith("第二十九条）") for t in texts(replies))
    assert texts(replies)[-2:] == [text_of(responses, "utter_appeal_resume"), "企业位于哪个街镇？"]
    [ask] = say(user, "安亭")
    assert ask["text"] == "这项诉求属于哪一类？"
    _intro, summary, _hint = say(user, "其他")
    assert "138****5678" in str(summary["text"]) and "13812345678" not in str(summary["text"])
    assert "所在街镇：安亭镇" in str(summary["text"])
    assert summary["buttons"][0]["title"] == "确认提交"
    # Correct the phone at the confirmation step.
    [ask] = say(user, "修改联系电话")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_phone")
    _intro, summary, _hint = say(user, "021-6234 5678")
    assert "021****5678" in str(summary["text"])
    [done] = say(user, "确认提交")
    found = TRACKING.search(str(done["text"]))
    assert found, done
    assert "区经委" in str(done["text"])  # category 其他 → 区经委 triage

    # The appeal is in the routing backend, found with the phone's last four digits.
    view = requests.get(
        f"{stack.url('service')}/api/appeals/{found.group()}",
        params={"phone_last4": "5678"},
        timeout=10,
    )
    assert view.status_code == 200
    assert view.json()["status"] == "received"
    assert "6234" not in view.text and "王晓明" not in view.text


def test_cancel_files_nothing(say: Say, responses: Responses, stack: Stack) -> None:
    user = new_sender()
    _intro, ask = say(user, "/file_appeal")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_enterprise_name")
    [ask] = say(user, "上海嘉定示例智能科技有限公司")
    [cancelled] = say(user, "取消")
    assert cancelled["text"] == text_of(responses, "utter_appeal_cancelled")
    [greeting] = say(user, "你好")
    assert greeting["text"] == text_of(responses, "utter_greet")


def test_status_in_chat_then_a_reply_and_a_low_rating_reopens(
    say: Say, responses: Responses, stack: Stack
) -> None:
    from bot.appeals.service.backend import open_backend

    user = new_sender()
    # File through the API (the chat path is covered above), as an agent would.
    body = {
        "enterprise_name": "上海嘉定示例物流有限公司",
        "credit_code": "91310114MA1GY5BM3N",
        "contact_name": "李敏",
        "phone": "13900001111",
        "town": "南翔镇",
        "category": "tax",
        "description": "出口退税申报材料提交两个月了还没有结果",
        "channel": "hotline",
    }
    service = stack.url("service")
    created = requests.post(
        f"{service}/api/appeals", json=body, headers={"Idempotency-Key": f"it-{user}"}, timeout=10
    ).json()
    number = created["tracking_no"]

    [ask] = say(user, f"我想查一下诉求{number}的进度")
    assert ask["text"] == text_of(responses, "utter_ask_status_phone_last4")
    problem, ask = say(user, "11")
    assert problem["text"] == text_of(responses, "utter_status_last4_invalid")
    [status] = say(user, "1111")
    assert number in str(status["text"]) and "区税务局" in str(status["text"])

    # Staff handle it (tokens are issued on the server, as the CLI does).
    backend = open_backend(stack.settings.database_url, run_migrations=False)
    jw = {"Authorization": f"Bearer {backend.tokens.create('qjw', 'it-jw')}"}
    tax = {"Authorization": f"Bearer {backend.tokens.create('tax', 'it-tax')}"}
    backend.engine.dispose()
    url = f"{service}/api/staff/appeals/{number}"
    for action, who, params in (
        ("triage", jw, {}),
        ("dispatch", jw, {}),
        ("accept", tax, {}),
        ("reply", tax, {"reply": "已核对材料，退税款本周内到账。"}),
    ):
        done = requests.post(f"{url}/{action}", json=params, headers=who, timeout=10)
        assert done.status_code == 200, done.text

    [ask] = say(user, f"{number}现在怎么样了")
    [status, rating] = say(user, "1111")
    assert "已核对材料" in str(status["text"])
    assert rating["text"] == text_of(responses, "utter_ask_appeal_rating")
    [low] = say(user, "2 到账了但是太慢")
    assert low["text"] == text_of(responses, "utter_rating_low")
    view = requests.get(
        f"{service}/api/appeals/{number}", params={"phone_last4": "1111"}, timeout=10
    ).json()
    assert view["status"] == "reopened" and view["rating"] == 2


def test_service_down_the_appeal_is_kept_and_delivered_once(
    say: Say, responses: Responses, stack: Stack
) -> None:
    user = new_sender()
    stack.stop_one("service")
    try:
        say(user, "园区门口的排水管堵了，一下雨仓库就进水，货都泡了")
        for text in ("上海嘉定示例仓储有限公司", "91310114MA1GY5BM3N", "赵强", "13700002222"):
            say(user, text)
        say(user, "外冈")
        say(user, "其他")
        [queued] = say(user, "确认提交")
    finally:
        stack.start_one("service")
    reference = re.search(r"TMP-[A-Z0-9]{8}", str(queued["text"]))
    assert reference, queued
    assert "不会重复提交" in str(queued["text"])

    # The outbox delivers it once the service is back; the provisional reference then shows
    # the tracking number.
    deadline = time.monotonic() + 90
    while True:
        [ask] = say(user, f"查询{reference.group()}的进度")
        assert ask["text"] == text_of(responses, "utter_ask_status_phone_last4")
        [status] = say(user, "2222")
        if TRACKING.search(str(status["text"])):
            break
        assert status["text"] == text_of(responses, "utter_status_provisional_pending")
        assert time.monotonic() < deadline, "the outbox did not deliver the appeal"
        time.sleep(3)
    number = TRACKING.search(str(status["text"]))
    assert number is not None
    # Exactly once: one appeal with this description in the backend.
    from bot.appeals.service.backend import open_backend

    backend = open_backend(stack.settings.database_url, run_migrations=False)
    try:
        staff = backend.appeals.list_appeals(Actor("qjw"))
    finally:
        backend.engine.dispose()
    assert sum("排水管堵了" in a["description"] for a in staff) == 1
