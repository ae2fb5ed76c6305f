"""Run a snippet in a fresh Python interpreter: what importing a module does by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from bot.settings import PROJECT_ROOT


def run_fresh(code: str, env: dict[str, str] | None = None, timeout_s: float = 120) -> Any:
    """Run ``code`` in a new interpreter at the project root; return the JSON it printed last."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
