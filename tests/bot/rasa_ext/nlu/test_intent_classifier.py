from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.nlu.intent_classifier import IntentClassifier


def _message(text: str, vector: list[float] | None, intent: str | None = None) -> Message:
    message = Message(data={"text": text, **({"intent": intent} if intent else {})})
    if vector is not None:
        sparse = scipy.sparse.coo_matrix(np.array([vector[:2]]))
        message.add_features(Features(sparse, "sentence", "text", "counts"))
        message.add_features(Features(np.array([vector[2:]]), "sentence", "text", "e5"))
    return message


def _classifier(tmp_path: Path) -> IntentClassifier:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return IntentClassifier.create(
        IntentClassifier.get_default_config(), storage, Resource("clf"), context
    )


def test_a_message_without_features_gets_no_intent_instead_of_an_error(tmp_path: Path) -> None:
    classifier = _classifier(tmp_path)
    examples = [_message(f"a{i}", [1.0, 0.0, 1.0, 0.0], "greet") for i in range(5)] + [
        _message(f"b{i}", [0.0, 1.0, 0.0, 1.0], "goodbye") for i in range(5)
    ]
    classifier.train(TrainingData(examples))
    blank, hello = _message("   ", None), _message("你好", [1.0, 0.0, 0.9, 0.1])
    classifier.process([blank, hello])
    assert blank.get("intent") == {"name": None, "confidence": 0.0}
    assert blank.get("intent_ranking") == []
    assert hello.get("intent")["name"] == "greet"
