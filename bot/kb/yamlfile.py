"""Read a knowledge-base YAML file with its node tree, so errors can name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.kb.errors import KbError


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Return the file's data and its node tree; KbError with the line on invalid YAML."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise KbError(path, line, f"not valid YAML: {exc.problem}") from exc


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Map each key of a YAML mapping node to its 1-based line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value}
