"""Rasa's own checks: data validation and the end-to-end test stories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, get_settings
from tools.train import TRAINING_DATA
from tools.validate import explained_responses, unexplained_warnings

pytestmark = pytest.mark.slow


def _rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_data_validates_with_no_unexplained_warning() -> None:
    proc = _rasa("data", "validate", "--data", *TRAINING_DATA)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert unexplained_warnings(output, explained_responses()) == []


def test_unexplained_warning_is_caught() -> None:
    output = (
        "UserWarning: The utterance 'utter_nobody_uses' is not used in any story or rule.\n"
        "UserWarning: Issue found in 'data/nlu/x.yml': something odd\n"
    )
    problems = unexplained_warnings(output, explained_responses())
    assert len(problems) == 2


def test_stories_pass_with_no_prediction_error(tmp_path: Path) -> None:
    proc = _rasa(
        "test",
        "core",
        "--model",
        str(get_settings().model_path),
        "--stories",
        "tests/stories",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:] + detail
