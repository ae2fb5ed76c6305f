from __future__ import annotations

from typing import Any

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.core.events import ActiveLoop
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext.nlu.kb_router import KB_KEY, ROUTE_KEY, KbRouter


def _message(text: str, intent: str, confidence: float = 1.0) -> Message:
    message = Message(data={"text": text})
    message.set(TOKENS_NAMES["text"], [Token(text, 0)])
    predicted = {"name": intent, "confidence": confidence}
    message.set("intent", predicted, add_to_output=True)
    message.set("intent_ranking", [predicted, {"name": "greet", "confidence": 0.0}], True)
    return message


def _output(message: Message) -> dict[str, Any]:
    return message.as_dict(only_output_properties=True)


def test_a_policy_question_read_as_an_appeal_is_answered_with_an_appeal_offer() -> None:
    [message] = KbRouter().process([_message("小规模纳税人增值税是不是可以少交点", "file_appeal")])
    out = _output(message)
    assert out["intent"]["name"] == "ask_policy"
    assert [r["name"] for r in out["intent_ranking"]] == ["ask_policy", "file_appeal", "greet"]
    assert out[ROUTE_KEY]["classifier"]["name"] == "file_appeal"
    assert out[ROUTE_KEY]["offer_appeal"] is True
    assert out[KB_KEY]["hits"][0]["entry_id"] == "tax-and-funds-small-scale-vat"


def test_everyday_requests_keep_their_intent_and_carry_the_ranking() -> None:
    [message] = KbRouter().process([_message("今天天气怎么样", "out_of_scope")])
    out = _output(message)
    assert out["intent"]["name"] == "out_of_scope"
    assert out[ROUTE_KEY]["reason"] == "classifier"
    assert 0 < len(out[KB_KEY]["hits"]) <= 8


def test_an_active_form_reads_its_own_answers() -> None:
    tracker = DialogueStateTracker.from_events("u", [ActiveLoop("appeal_form")])
    [message] = KbRouter().process(
        [_message("小规模纳税人增值税是不是可以少交点", "file_appeal")], tracker
    )
    assert _output(message)["intent"]["name"] == "file_appeal"
    assert _output(message)[ROUTE_KEY]["reason"] == "form"


def test_one_embedding_per_message_for_featurizer_and_router() -> None:
    from bot import embedding
    from bot.rasa_ext.nlu.e5_featurizer import E5Featurizer

    featurizer = E5Featurizer(E5Featurizer.get_default_config(), "e5")
    router = KbRouter()
    router.index  # loaded once per process, not per message  # noqa: B018
    text = "我们厂想申请高新技术企业认定，区里有辅导吗？（一次嵌入测试）"
    before = embedding.encoded()
    [message] = featurizer.process([_message(text, "ask_policy")])
    assert message.get_dense_features("text", ["e5"])[1] is not None
    router.process([message])
    assert embedding.encoded() - before == 1
