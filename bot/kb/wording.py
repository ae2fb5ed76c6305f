"""The Chinese wording around answers and the finder's list, from policies_kb/format.yml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

FORMAT_FILE = PROJECT_ROOT / "policies_kb" / "format.yml"


@cache
def format_strings(path: Path = FORMAT_FILE) -> dict[str, str]:
    """Load every wording template of policies_kb/format.yml."""
    return {str(k): str(v) for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items()}
