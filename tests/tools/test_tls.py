"""`python -m tools.tls`: the command line over bot.deploy.tls."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.certificates import load, sans
from tools.tls import main


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out"), "--host", "assistant.local", "--host", "192.0.2.7"]) == 0
    assert "cert.pem" in capsys.readouterr().out
    dns, ips = sans(load(tmp_path / "out" / "cert.pem"))
    assert "assistant.local" in dns and "localhost" in dns
    assert ips == ["192.0.2.7", "127.0.0.1"]


def test_runs_as_a_module(tmp_path: Path) -> None:
    from bot.settings import PROJECT_ROOT

    python = PROJECT_ROOT / ".venv" / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "tools.tls", str(tmp_path)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert (tmp_path / "cert.pem").exists()
    assert stat.S_IMODE((tmp_path / "key.pem").stat().st_mode) == 0o600
