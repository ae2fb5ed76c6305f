"""Base of the pipeline's components that decide per message and learn nothing.

InputGuard and KbRouter are Rasa graph components with no configuration, nothing to train
and nothing to store: Rasa builds them with ``create()`` and passes training data through
them unchanged. This base says that once.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

Component = TypeVar("Component", bound="StatelessComponent")


class StatelessComponent(GraphComponent):
    """A graph component built bare, that leaves training data as it is."""

    @classmethod
    def create(
        cls: type[Component],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Component:
        """Create the component (it has no state to train or load)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leave training data unchanged: the component concerns live messages only."""
        return training_data
