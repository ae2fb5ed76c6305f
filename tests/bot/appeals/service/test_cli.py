from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.appeals.service.backend import open_backend
from bot.appeals.service.cli import main
from tests.bot.appeals.service.conftest import body


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, object, str]:
    code = main(["--database-url", url, *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out.strip().startswith(("{", "[")) else out), err


def test_staff_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(capsys, url, "migrate")[0] == 0
    backend = open_backend(url)
    number = backend.appeals.create("cli-key-0001", body())[0]["tracking_no"]
    backend.engine.dispose()

    code, issued, _ = run(capsys, url, "create-token", "tax", "--label", "李四")
    assert code == 0 and issued["department"] == "tax" and len(issued["token"]) > 30  # type: ignore[index]
    code, _, err = run(capsys, url, "create-token", "nowhere", "--label", "x")
    assert code == 1 and "unknown department" in err

    code, listed, _ = run(capsys, url, "list", "--as", "qjw")
    assert [a["tracking_no"] for a in listed] == [number]  # type: ignore[union-attr]
    assert run(capsys, url, "list", "--as", "tax")[1] == []
    code, _, err = run(capsys, url, "show", number, "--as", "tax")
    assert code == 1 and "no appeal" in err
    code, _, err = run(capsys, url, "close", number, "--as", "qjw")
    assert code == 1 and "cannot close" in err
    code, shown, _ = run(
        capsys, url, "triage", number, "--as", "qjw", "--lead-department", "construction"
    )
    assert code == 0 and shown["status"] == "triaged"  # type: ignore[index]
    assert run(capsys, url, "dispatch", number, "--as", "qjw")[0] == 0
    assert run(capsys, url, "accept", number, "--as", "construction")[0] == 0
    code, replied, _ = run(
        capsys, url, "reply", number, "--as", "construction", "--reply", "已修复"
    )
    assert code == 0 and replied["status"] == "replied"  # type: ignore[index]
    assert run(capsys, url, "supervise")[1] == {"supervised": []}
    assert run(capsys, url, "purge", "--days", "0")[1] == {"purged": []}  # nothing closed
    code, stats, _ = run(capsys, url, "stats")
    assert stats[0]["replied"] == 1  # type: ignore[index]
