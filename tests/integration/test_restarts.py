"""Processes restarted in the middle of a conversation (issue 7, faults): nothing typed is lost.

Also the log check: after a whole appeal conversation, no log line of any process holds the
full phone number.
"""

from __future__ import annotations

import pytest

from bot.stack import Stack
from tests.integration.test_conversation import Responses, Say, new_sender, text_of

pytestmark = pytest.mark.integration
PHONE = "13912345678"


def test_the_appeal_form_resumes_after_each_process_restarts(
    say: Say, responses: Responses, stack: Stack
) -> None:
    user = new_sender()
    _intro, ask = say(user, "/file_appeal")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_enterprise_name")
    [ask] = say(user, "上海嘉定重启测试精密机械有限公司")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_credit_code")

    # Rasa restarts: the conversation is in the persistent tracker store.
    stack.stop_one("Rasa server")
    stack.start_one("Rasa server")
    _privacy, ask = say(user, "91310114MA1GY5BM3N")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_contact_name")

    # The action server restarts: it keeps nothing of the conversation between calls.
    stack.stop_one("action server")
    stack.start_one("action server")
    [ask] = say(user, "赵重启")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_phone")

    # The service restarts: the form does not need it until the appeal is submitted.
    stack.stop_one("service")
    stack.start_one("service")
    [ask] = say(user, PHONE)
    assert ask["text"] == "企业位于哪个街镇？"
    [ask] = say(user, "嘉定工业区")
    assert ask["text"] == "这项诉求属于哪一类？", ask
    [ask] = say(user, "其他")
    assert ask["text"] == text_of(responses, "utter_ask_appeal_description")
    _intro, summary, _hint = say(user, "厂区门口的路灯坏了半年，夜里下班不安全")
    # Everything typed before the restarts is still there.
    for kept in ("上海嘉定重启测试精密机械有限公司", "91310114MA1GY5BM3N", "赵重启", "139****5678"):
        assert kept in str(summary["text"])
    [done] = say(user, "确认提交")
    assert "JD-" in str(done["text"])


def test_no_log_line_holds_a_full_phone_number(stack: Stack) -> None:
    # Runs after the appeal above (same stack, same logs): every process's log, whole.
    assert stack.log_dir is not None
    logs = sorted(stack.log_dir.glob("*.log"))
    assert logs, "the integration stack writes its processes' logs"
    for log in logs:
        text = log.read_text(errors="replace")
        assert PHONE not in text, f"{log.name} holds a full phone number"
        assert "139 1234 5678" not in text
