"""Rasa NLU component: the multilingual-e5 sentence embedding as a dense feature for DIET.

Word and character counts (CountVectorsFeaturizer) know only the words seen in training; the
e5 embedding (bot.embedding) brings what a pretrained encoder knows of Chinese, so a plain-talk
question that shares few words with the examples still lands near them. It gives sentence
features only: e5 has no per-token vectors of jieba's tokens.

The model is loaded once per process (bot.embedding); training data is embedded in batches.
A message's embedding is remembered, so the KB ranker later in the pipeline (KbRouter) reuses
it instead of embedding the message a second time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import embedding


def _has_tokens(message: Message) -> bool:
    """Tell whether the tokenizer found words in the message's text.

    A message without them (empty or blank text) gets no features from the count featurizers
    either, and DIET needs all or none.
    """
    return bool(message.get(TEXT)) and bool(message.get(TOKENS_NAMES[TEXT]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Add the e5 sentence embedding of each message's text as a sentence feature.

    ``scale``: the embedding is unit length, its entries about 0.05, beside word and character
    counts of 1 and more; scaled up, the classifier's first layer need not learn to amplify it.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Return the default config: an alias, as every featurizer has."""
        return {**DenseFeaturizer.get_default_config(), FEATURIZER_CLASS_ALIAS: "e5", "scale": 1.0}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5Featurizer:
        """Create the component (the encoder itself is loaded on first use)."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to validate: the component has no options of its own."""

    def _add(self, message: Message, vector: embedding.Matrix) -> None:
        message.add_features(
            Features(
                np.asarray(vector, dtype=np.float32).reshape(1, -1) * self._config["scale"],
                FEATURE_TYPE_SENTENCE,
                TEXT,
                self._config[FEATURIZER_CLASS_ALIAS],
            )
        )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Embed every training example with text, in batches."""
        examples = [m for m in training_data.training_examples if _has_tokens(m)]
        vectors = embedding.embed_many([m.get(TEXT) for m in examples])
        for message, vector in zip(examples, vectors, strict=True):
            self._add(message, vector)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Embed each incoming message (one embedding per message, remembered)."""
        for message in messages:
            if _has_tokens(message):
                self._add(message, embedding.embed(message.get(TEXT)))
        return messages
