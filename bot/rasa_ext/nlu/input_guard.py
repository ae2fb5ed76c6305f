"""Rasa NLU component that sends unusable input to the fallback intent."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.input_guard import assess
from bot.rasa_ext.nlu.stateless import StatelessComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(StatelessComponent):
    """Turn empty, over-long, markup or non-Chinese input into ``nlu_fallback``.

    The fallback action then answers it with a specific reply.

    Place it last in the pipeline, after FallbackClassifier.
    """

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
