"""Patches of Rasa 3.6.21's internals, applied only by :func:`apply_all`, never on import.

- ``speedups``: ``RemoteAction._validate_action_result`` checks action server answers with
  a validator built once, and ``Event.resolve_by_type`` looks event classes up in a cached
  map (together about 40 % of the Rasa server's CPU under load, docs/performance.md);
- ``action_failures``: ``RemoteAction.run`` turns a custom action that cannot run into the
  domain's apology instead of silence.

The Rasa entry point (``python -m bot.rasa_ext.cli``, used by ``make run``, ``make shell`` and
the tests' processes) calls :func:`apply_all` before Rasa starts. Each patch checks the Rasa
version (bot.rasa_ext.patches.version) and stays off on another one.
"""

from __future__ import annotations

from bot.rasa_ext.patches import action_failures, speedups


def apply_all() -> dict[str, bool]:
    """Apply every patch; return which ones applied (all False on another Rasa version)."""
    return {"speedups": speedups.apply(), "action_failures": action_failures.apply()}
