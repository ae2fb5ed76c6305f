from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools import train


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Build a miniature project tree and point tools.train at it."""
    for name in ("config.yml", "domain.yml"):
        (tmp_path / name).write_text(f"{name}\n")
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "basics.yml").write_text("nlu: []\n")
    (tmp_path / "policies_kb").mkdir()
    (tmp_path / "policies_kb" / "glossary.yml").write_text("places: []\n")
    userdict = tmp_path / "build" / "jieba"
    userdict.mkdir(parents=True)
    (userdict / "userdict.txt").write_text("马陆镇 ns\n")
    monkeypatch.setattr(train, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(train, "USERDICT_DIR", userdict)
    return tmp_path


def trained_once(project: Path) -> Path:
    """Train the miniature project once; return its model path."""
    model = project / "models" / "m.tar.gz"
    model.parent.mkdir()
    train.train_if_needed(model)
    return model


@pytest.fixture
def trainings(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record `rasa train` calls instead of training (the decision is under test)."""
    calls: list[list[str]] = []

    def fake_run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        out = Path(cmd[cmd.index("--out") + 1])
        name = cmd[cmd.index("--fixed-model-name") + 1]
        (out / f"{name}.tar.gz").write_text("model")
        assert kwargs["env"]["RASA_TELEMETRY_ENABLED"] == "false"
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(train.subprocess, "run", fake_run)
    return calls


def test_trains_forced_first_then_not_at_all(project: Path, trainings: list[list[str]]) -> None:
    model = trained_once(project)
    assert len(trainings) == 1 and "--force" in trainings[0]
    stamp = json.loads((project / "models" / "m.stamp.json").read_text())
    assert set(stamp) == {"inputs", "userdict"}
    train.train_if_needed(model)
    assert len(trainings) == 1


def test_changed_data_trains_incrementally(project: Path, trainings: list[list[str]]) -> None:
    model = trained_once(project)
    (project / "data" / "nlu" / "basics.yml").write_text("nlu: [changed]\n")
    train.train_if_needed(model)
    assert len(trainings) == 2 and "--force" not in trainings[1]


@pytest.mark.parametrize("edit", ["policies_kb/glossary.yml", "domain.yml", "config.yml"])
def test_each_input_counts(project: Path, trainings: list[list[str]], edit: str) -> None:
    model = trained_once(project)
    (project / edit).write_text("changed\n")
    train.train_if_needed(model)
    assert len(trainings) == 2


def test_changed_dictionary_forces_training(project: Path, trainings: list[list[str]]) -> None:
    model = trained_once(project)
    (project / "build" / "jieba" / "userdict.txt").write_text("马陆镇 ns\n安亭镇 ns\n")
    train.train_if_needed(model)
    assert len(trainings) == 2 and "--force" in trainings[1]


def test_missing_model_trains_again(project: Path, trainings: list[list[str]]) -> None:
    model = trained_once(project)
    model.unlink()
    train.train_if_needed(model)
    assert len(trainings) == 2
