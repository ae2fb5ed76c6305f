from __future__ import annotations

import pytest
import rasa.shared.utils.common
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot.rasa_ext.patches import speedups


def rasa_resolve(type_name: str) -> type[Event] | None:
    """Rasa 3.6.21's own lookup, for comparison."""
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        if cls.type_name == type_name:
            return cls  # type: ignore[no-any-return]
    return None


def test_the_patches_are_applied_on_the_pinned_rasa() -> None:
    assert speedups.apply() is True
    assert RemoteAction._validate_action_result is speedups._validate_action_result
    assert Event.resolve_by_type is speedups._resolve_by_type


def test_action_results_are_checked_as_before() -> None:
    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "好"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def test_every_event_type_resolves_as_rasa_does() -> None:
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasa_resolve(cls.type_name)
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no such", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no such'"):
        Event.resolve_by_type("no such")
    restored = Event.from_parameters({"event": "slot", "name": "town", "value": "安亭镇"})
    assert restored == SlotSet("town", "安亭镇")
