from __future__ import annotations

import numpy as np
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import embedding
from bot.rasa_ext.nlu.e5_featurizer import E5Featurizer


def _tokenized(text: str, **data: str) -> Message:
    """A message as the tokenizer leaves it (one token per word, none for blank text)."""
    message = Message(data={"text": text, **data})
    message.set(TOKENS_NAMES["text"], [Token(w, i) for i, w in enumerate(text.split())])
    return message


def _featurizer() -> E5Featurizer:
    return E5Featurizer({**E5Featurizer.get_default_config()}, "e5")


def test_messages_get_the_e5_sentence_embedding() -> None:
    [message] = _featurizer().process([_tokenized("人才金卡怎么申请")])
    sequence, sentence = message.get_dense_features("text", ["e5"])
    assert sequence is None
    assert sentence is not None and sentence.features.shape == (1, embedding.DIM)
    assert np.allclose(sentence.features[0], embedding.embed("人才金卡怎么申请"))
    assert E5Featurizer.get_default_config()[FEATURIZER_CLASS_ALIAS] == "e5"


def test_training_data_is_embedded_in_batches_alike() -> None:
    texts = ["公司注销要登报吗", "今天天气怎么样"]
    data = TrainingData([_tokenized(t, intent="x") for t in texts])
    _featurizer().process_training_data(data)
    for text, message in zip(texts, data.training_examples, strict=True):
        _, sentence = message.get_dense_features("text", ["e5"])
        assert sentence is not None
        assert np.allclose(sentence.features[0], embedding.embed(text), atol=1e-5)


def test_text_without_words_gets_no_features_as_with_the_count_featurizers() -> None:
    # DIET needs a message to have every kind of feature it was trained with, or none.
    for text in ("", "   \n  "):
        [message] = _featurizer().process([_tokenized(text)])
        assert message.get_dense_features("text", ["e5"]) == (None, None)


def test_similar_questions_are_closer_than_unrelated_ones() -> None:
    a, b, c = (embedding.embed(t) for t in ("公司怎么注销", "企业注销需要什么手续", "今天会下雨吗"))
    assert float(a @ b) > float(a @ c)
