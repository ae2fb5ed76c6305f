"""Rasa NLU component: rank the KB for each message and make one decision (bot.arbiter).

Placed after FallbackClassifier (so it sees DIET's reading, fallback included) and before
InputGuard (which still sends unusable input to the fallback). For each message it ranks the
knowledge base once, with the e5 embedding E5Featurizer computed for the same message
(bot.embedding remembers it), lets bot.arbiter decide the intent, and adds to the parse data:

- ``kb``: the ranking (bot.kb.search.Evidence.as_dict), which the answer action decides from;
- ``route``: why the intent is what it is, DIET's own reading, and whether to offer an appeal.

Training data passes through unchanged: the decision concerns live messages only.
"""

from __future__ import annotations

from functools import cached_property

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot import arbiter, embedding
from bot.kb.ask import ask, rank
from bot.kb.holder import stored_index
from bot.kb.index import KbIndex
from bot.rasa_ext.nlu.stateless import StatelessComponent

KB_KEY = "kb"
ROUTE_KEY = "route"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class KbRouter(StatelessComponent):
    """Decide each message's intent from DIET's reading and the knowledge base's evidence."""

    @cached_property
    def index(self) -> KbIndex:
        """The knowledge-base index `make kb` built, loaded once per process (bot.kb.holder)."""
        return stored_index().index

    def process(
        self, messages: list[Message], tracker: DialogueStateTracker | None = None
    ) -> list[Message]:
        """Rank the KB and route each message with text."""
        active_loop = tracker.active_loop_name if tracker is not None else None
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            if not text or not intent.get(INTENT_NAME_KEY):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            reading = arbiter.Reading(
                str(intent[INTENT_NAME_KEY]),
                float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                tuple(
                    (str(r[INTENT_NAME_KEY]), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
                    for r in ranking
                ),
            )
            found = rank(self.index, text, embedding.embed(text))
            evidence = found.as_dict()
            # Decided from the ranking as it travels (rounded), so that the answer action,
            # deciding from the same parse data, reaches the same decision.
            result = ask(self.index, text, evidence)
            decision = arbiter.route(text, reading, result, active_loop)
            message.set(KB_KEY, evidence, add_to_output=True)
            message.set(ROUTE_KEY, decision.as_dict(reading), add_to_output=True)
            if decision.intent != reading.intent:
                chosen = {
                    INTENT_NAME_KEY: decision.intent,
                    PREDICTED_CONFIDENCE_KEY: decision.confidence,
                }
                others = [r for r in ranking if r.get(INTENT_NAME_KEY) != decision.intent]
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
        return messages
