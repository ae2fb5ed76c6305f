"""Rasa NLU component that sends unusable input to the fallback intent."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.input_guard import assess


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    """Turn empty, over-long, markup or non-Chinese input into ``nlu_fallback``.

    The fallback action then answers it with a specific reply.

    Place it last in the pipeline, after FallbackClassifier.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        """Create the component (it has no state to train or load)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leave training data unchanged."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the predicted intent of unusable messages with the fallback intent."""
        for message in messages:
            if assess(message.get(TEXT)) is None:
                continue
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: 1.0,
            }
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
        return messages
