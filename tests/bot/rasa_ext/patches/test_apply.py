"""The patches apply only when asked, only on the pinned Rasa, and from the Rasa entry point."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from bot.rasa_ext import cli
from bot.rasa_ext.patches import action_failures, apply_all, speedups, version
from bot.settings import PROJECT_ROOT

# Importing every Rasa extension must leave Rasa as it is.
IMPORT_ALL = """
import rasa.core.actions.action as a, rasa.shared.core.events as e
before = (a.RemoteAction.run, a.RemoteAction._validate_action_result, e.Event.resolve_by_type)
import bot.rasa_ext.channels.rest, bot.rasa_ext.channels.socketio
import bot.rasa_ext.channels.wechat.channel
import bot.rasa_ext.stores.tracker_store, bot.rasa_ext.stores.lock_store
import bot.rasa_ext.nlu.kb_router, bot.rasa_ext.nlu.e5_featurizer
import bot.rasa_ext.patches, bot.rasa_ext.cli
after = (a.RemoteAction.run, a.RemoteAction._validate_action_result, e.Event.resolve_by_type)
print("unchanged" if before == after else "patched on import")
"""


def test_nothing_patches_rasa_on_import() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "unchanged"


def test_the_version_gate_refuses_another_rasa(caplog: pytest.LogCaptureFixture) -> None:
    assert version.written_for_this_rasa("x", installed=version.PATCHED_VERSION) is True
    assert version.written_for_this_rasa("x", installed="3.6.20") is False
    assert "x not applied: written for Rasa 3.6.21, not 3.6.20" in caplog.text


def test_on_another_rasa_no_patch_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(version.rasa, "__version__", "3.7.0")
    run, validate = RemoteAction.run, RemoteAction._validate_action_result
    resolve = Event.__dict__["resolve_by_type"]
    assert apply_all() == {"speedups": False, "action_failures": False}
    assert RemoteAction.run is run
    assert RemoteAction._validate_action_result is validate
    assert Event.__dict__["resolve_by_type"] is resolve


def test_apply_all_switches_every_patch_on() -> None:
    assert apply_all() == {"speedups": True, "action_failures": True}
    assert RemoteAction.run is action_failures._run
    assert RemoteAction._validate_action_result is speedups._validate_action_result


def test_the_entry_point_applies_the_patches_before_rasa_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_rasa_main() -> None:
        seen["run"] = RemoteAction.run

    monkeypatch.setattr("rasa.__main__.main", fake_rasa_main)
    monkeypatch.setattr(RemoteAction, "run", action_failures._original_run)
    cli.main()
    assert seen["run"] is action_failures._run
