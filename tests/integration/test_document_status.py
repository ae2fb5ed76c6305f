"""The source document's status in answers over REST (issue 14): a status line before the
citation of every answer and the finder's list; an expired document announced first."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.kb.glossary import KB_DIR
from bot.kb.schema import STATUS_FILE
from bot.kb.status import DocumentStatus, Status, read_status, status_line, write_status
from bot.stack import Stack
from tests.integration.test_conversation import Say, new_sender

pytestmark = pytest.mark.integration
DOC = "嘉府规〔2020〕8号"
CITATION = "（依据：嘉府规〔2020〕8号 第二十九条）"
QUESTION = "人才金卡能提供哪些服务"


def texts(messages: list[dict[str, object]]) -> list[str]:
    return [str(m["text"]) for m in messages if m.get("text")]


def custom(messages: list[dict[str, object]], kind: str) -> dict[str, object]:
    return next(
        m["custom"]  # type: ignore[misc]
        for m in messages
        if isinstance(m.get("custom"), dict) and m["custom"]["type"] == kind  # type: ignore[index]
    )


def test_answers_and_the_finder_carry_the_recorded_status(say: Say) -> None:
    line = status_line(DOC, read_status(KB_DIR / STATUS_FILE))
    messages = say(new_sender(), QUESTION)
    answer = next(t for t in texts(messages) if t.endswith(CITATION))
    assert answer.splitlines()[-2] == line
    payload = custom(messages, "policy_answer")
    assert payload["citation"] == "嘉府规〔2020〕8号 第二十九条"
    assert payload["status"] == {"warning": "", "line": line}
    user = new_sender()
    say(user, "我们能享受哪些政策")
    listed = []
    for _ in range(5):  # skip every step of the finder
        listed = say(user, "跳过")
    assert texts(listed)[0].splitlines()[-1] == line


@pytest.fixture()
def expired(stack: Stack, tmp_path: Path) -> Iterator[DocumentStatus]:
    """Restart the action server with the document recorded as expired, then as before."""
    path = tmp_path / "status.yml"
    shutil.copy(KB_DIR / STATUS_FILE, path)
    record = DocumentStatus(
        DOC,
        Status.EXPIRED,
        expired_on=date(2025, 10, 25),
        verified_on=date(2026, 12, 1),
        verified_where="区政府网站",
    )
    write_status(path, record)
    actions = next(p for p in stack.procs if p.name == "action server")
    stack.stop_one("action server")
    actions.env["KB_STATUS_FILE"] = str(path)
    stack.start_one("action server")
    try:
        yield record
    finally:
        stack.stop_one("action server")
        del actions.env["KB_STATUS_FILE"]
        stack.start_one("action server")


def test_an_expired_document_is_said_first(say: Say, expired: DocumentStatus) -> None:
    messages = say(new_sender(), QUESTION)
    answer = next(t for t in texts(messages) if t.endswith(CITATION))
    assert answer.startswith("请注意：嘉府规〔2020〕8号已于2025年10月25日失效")
    assert "失效" in answer.splitlines()[-2]
    assert str(custom(messages, "policy_answer")["status"]["warning"]).startswith("请注意")  # type: ignore[index]
