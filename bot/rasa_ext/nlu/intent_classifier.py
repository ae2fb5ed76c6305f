"""Rasa's logistic-regression intent classifier, for messages without features too.

Rasa 3.6's `LogisticRegressionClassifier` stacks each message's sentence features and asks
scikit-learn for probabilities; a message that has fewer features than it was trained on (blank
text: no tokens, so no count vectors and no e5 embedding) makes scikit-learn raise, and the
whole parse fails. DIET, which it replaces here, tolerated such messages. This subclass classifies
the messages whose features have the trained width and gives the others no intent; InputGuard,
last in the pipeline, sends unusable input to the fallback anyway. Subclassed rather than
written anew: training, persistence and the ranking stay Rasa's.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentClassifier(LogisticRegressionClassifier):
    """Logistic regression over the sentence features; no intent for a featureless message."""

    def _classifiable(self, message: Message) -> bool:
        expected = getattr(self.clf, "n_features_in_", None)
        if expected is None:  # not trained: let Rasa's own code say so
            return True
        sparse = message.get_sparse_features(attribute="text")[1]
        dense = message.get_dense_features(attribute="text")[1]
        width = (sparse.features.shape[-1] if sparse else 0) + (
            dense.features.shape[-1] if dense else 0
        )
        return bool(width == expected)

    def process(self, messages: list[Message]) -> list[Message]:
        """Classify the messages with the trained features; the others get no intent."""
        classifiable = [m for m in messages if self._classifiable(m)]
        if classifiable:
            super().process(classifiable)
        done = {id(m) for m in classifiable}
        for message in messages:
            if id(message) not in done:
                empty = {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
                message.set(INTENT, empty, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
