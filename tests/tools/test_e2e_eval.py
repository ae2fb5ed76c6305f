"""Reading a reply as the user sees it (the end-to-end benchmark's parser)."""

from __future__ import annotations

from tools.e2e_eval import read_reply


def test_an_answer_with_related_buttons() -> None:
    messages = [
        {"text": "……（依据：嘉府规〔2020〕8号 第二十一条）"},
        {"custom": {"type": "policy_answer", "entry_id": "financing-ipo-reserve"}},
        {
            "text": "您可能还想了解：",
            "buttons": [
                {
                    "title": "科创板",
                    "payload": '/ask_policy{"kb_entry_id": "financing-star-market"}',
                },
                {"title": "登记诉求", "payload": "/file_appeal"},
            ],
        },
    ]
    tracker = {
        "latest_message": {"intent": {"name": "ask_policy"}, "route": {"reason": "kb_strong"}}
    }
    reply = read_reply(messages, tracker)
    assert reply.answered == "financing-ipo-reserve"
    assert reply.offered == ["financing-star-market"]
    assert (reply.appeal_form, reply.intent, reply.reason) == (False, "ask_policy", "kb_strong")


def test_choices_and_an_appeal_form() -> None:
    choices = [
        {"custom": {"type": "policy_choices", "options": [{"entry_id": "a"}, {"entry_id": "b"}]}}
    ]
    reply = read_reply(choices, {})
    assert reply.answered is None and reply.offered == ["a", "b"]
    form = read_reply([{"text": "请问企业名称是？"}], {"active_loop": {"name": "appeal_form"}})
    assert form.appeal_form and form.answered is None
