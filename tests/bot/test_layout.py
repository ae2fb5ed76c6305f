"""The layout's rules that a reader relies on, checked on the code itself."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
RASA_EXT = BOT / "rasa_ext"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def test_only_bot_rasa_ext_imports_rasa() -> None:
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in BOT.rglob("*.py")
        if RASA_EXT not in path.parents and {_top(n) for n in _imports(path)} & {"rasa", "rasa_sdk"}
    ]
    assert offenders == []
