from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext.nlu.input_guard import InputGuard

CONFIDENT = {"name": "greet", "confidence": 0.99}


def _message(text: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", dict(CONFIDENT), add_to_output=True)
    message.set("intent_ranking", [dict(CONFIDENT)], add_to_output=True)
    return message


def test_unusable_input_becomes_fallback_whatever_was_predicted() -> None:
    guard = InputGuard()
    [english, markup] = guard.process([_message("hello there my friend"), _message("<b>hi</b>")])
    for message in (english, markup):
        assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
        assert message.get("intent_ranking") == [{"name": "nlu_fallback", "confidence": 1.0}]
        assert "intent" in message.as_dict(only_output_properties=True)


def test_usable_input_keeps_its_prediction() -> None:
    [message] = InputGuard().process([_message("你好")])
    assert message.get("intent") == CONFIDENT
