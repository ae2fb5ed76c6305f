"""Two fixes of Rasa 3.6.21's hot path (applied by bot.rasa_ext.patches.apply_all).

Profiled under load (py-spy, 20 users without waits; docs/performance.md), the Rasa process
spent about 38 % of its CPU in jsonschema and 4 % looking up event classes:

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, spec)`` for
  every action server answer, which re-checks the *schema* against its meta-schema each time
  before checking the answer. Here the validator is built once (the schema is a constant of
  Rasa's) and only the answer is checked, with the same error.
- ``Event.resolve_by_type`` walks every subclass of ``Event`` (``all_subclasses``, with
  ``inspect.isabstract``) for each stored event it deserialises. Here the name → class map is
  cached, and rebuilt when a name is not in it (a class imported later).

Both replace private methods of a pinned Rasa version, so they apply only to that version and
tests/bot/rasa_ext/channels/test_speedups.py checks they keep Rasa's behaviour.
"""

from __future__ import annotations

import logging
from typing import Any

import rasa.shared.utils.common
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

from bot.rasa_ext.patches.version import written_for_this_rasa

logger = logging.getLogger(__name__)
_validator: Any = None
_event_types: dict[str, type[Event]] = {}


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Check an action server's answer against Rasa's response format (schema checked once)."""
    global _validator
    if _validator is None:
        spec = RemoteAction.action_response_format_spec()
        cls = validator_for(spec)
        cls.check_schema(spec)
        _validator = cls(spec)
    try:
        _validator.validate(result)
        return True
    except ValidationError as e:
        e.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Return the event class named ``type_name`` (as Rasa's, from a cached map)."""
    found = _event_types.get(type_name)
    if found is None:
        _event_types.clear()
        for cls in reversed(rasa.shared.utils.common.all_subclasses(Event)):
            _event_types[cls.type_name] = cls  # the first in Rasa's order wins
        found = _event_types.get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None  # backwards compatibility to support old TopicSet evts
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def apply() -> bool:
    """Patch Rasa; False, with a warning, on another Rasa version."""
    if not written_for_this_rasa("speedups"):
        return False
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign,assignment]
    return True
