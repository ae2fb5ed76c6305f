"""Shared fixtures; every test (and every process a test starts) runs with telemetry off."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The repository keeps its own copy of the source document (see policies_kb/source/).
POLICY_SOURCE = PROJECT_ROOT / "policies_kb" / "source" / "jiading-2020-8.txt"


@pytest.fixture(scope="session")
def policy_source() -> str:
    """Return the full text of 嘉府规〔2020〕8号."""
    return Path(POLICY_SOURCE).read_text(encoding="utf-8")
