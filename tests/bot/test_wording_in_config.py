"""Chinese wording lives in config files and domain.yml, not in Python string literals.

Scans bot/ and actions/ with ast: a string constant (not a docstring) with Chinese characters
may appear only in the modules listed here, each for the reason given. Whatever users or staff
read belongs in domain.yml, config/*.yml or policies_kb/.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from bot.wording import (
    SERVICE_WORDING_FILE,
    ServiceWording,
    WordingError,
    load_texts,
    service_wording,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Modules whose Chinese literals are not wording: patterns and word lists that *read* input,
# developers' and staff's own English texts naming 区经委, or one message's pieces.
ALLOWED = {
    # Reading Chinese input: regular expressions, numerals, cue words, the document's layout.
    "bot/kb/text.py",
    "bot/kb/followup.py",
    "bot/kb/quantities.py",
    "bot/kb/numbers.py",
    "bot/kb/source.py",
    "bot/kb/status.py",
    "bot/kb/finder.py",
    "bot/kb/period.py",
    "bot/input_guard.py",
    "bot/appeals/fields/choices.py",
    "bot/appeals/fields/names.py",
    "bot/appeals/masking.py",
    "bot/appeals/status.py",
    # The position list of one problem message ({details} of uscc_chars), built per character.
    "bot/appeals/fields/credit_code.py",
    # The greeting a new WeChat follower's "subscribe" event is read as: input, not output.
    "bot/rasa_ext/channels/wechat/channel.py",
    # For developers and the API's English documentation (the product's and 区经委's names).
    "bot/stack.py",
    "bot/app.py",
    "bot/appeals/service/cli.py",
    "bot/appeals/service/api.py",
    "bot/console/api.py",
}


def chinese_literals(path: Path) -> list[tuple[int, str]]:
    """Return (line, text) of each non-docstring string constant with Chinese in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CHINESE.search(node.value)
    ]


def test_no_chinese_wording_in_python_outside_the_listed_modules() -> None:
    found = {}
    for path in sorted([*PROJECT_ROOT.glob("bot/**/*.py"), *PROJECT_ROOT.glob("actions/*.py")]):
        name = path.relative_to(PROJECT_ROOT).as_posix()
        if name not in ALLOWED and (literals := chinese_literals(path)):
            found[name] = literals
    assert not found, f"wording belongs in domain.yml or config/*.yml: {found}"


def test_the_allow_list_names_only_modules_that_need_it() -> None:
    stale = [name for name in ALLOWED if not chinese_literals(PROJECT_ROOT / name)]
    assert not stale


def test_the_service_wording_file_has_every_text() -> None:
    wording = service_wording()
    assert wording.handoff_ended.format(status=wording.handoff_statuses["expired"]) == (
        "该会话已超时未接入。"
    )
    assert wording.note_purged.format(days=180) == "办结超过180天，已清除联系人和电话"
    assert service_wording() is wording  # read once


def test_the_labels_cover_the_codes_the_service_uses() -> None:
    from bot.appeals.service.api import Channel
    from bot.handoff import service as handoff

    wording = service_wording()
    assert set(wording.appeal_channels) == set(Channel.__args__)  # type: ignore[attr-defined]
    assert tuple(wording.handoff_channels) == handoff.CHANNELS
    assert tuple(wording.handoff_reasons) == handoff.REASONS
    assert set(wording.handoff_statuses) == set(handoff.STATUSES)


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.pop("appeal_not_found"),
        lambda data: data.update(appeal_not_found=" "),
        lambda data: data.update(appeal_not_found={"a": "b"}),
        lambda data: data.update(handoff_reasons="用户要求转人工"),
        lambda data: data.update(handoff_reasons={"request": ""}),
        lambda data: data.update(greeting="你好"),
    ],
)
def test_a_missing_empty_wrongly_shaped_or_unknown_text_fails(
    tmp_path: Path, change: Callable[[dict[str, Any]], object]
) -> None:
    data: dict[str, Any] = yaml.safe_load(SERVICE_WORDING_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "service_wording.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(WordingError):
        load_texts(ServiceWording, path)
