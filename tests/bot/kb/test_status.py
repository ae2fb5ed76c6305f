from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.kb.__main__ import main
from bot.kb.glossary import KB_DIR
from bot.kb.schema import STATUS_FILE
from bot.kb.source import SOURCES
from bot.kb.status import (
    DocumentStatus,
    KbError,
    Status,
    contradicting_claims,
    read_status,
    status_line,
    status_warning,
    write_status,
)
from bot.kb.store import kb_hash

DOC = "嘉府规〔2020〕8号"
VERIFIED = date(2026, 12, 1)


@pytest.fixture()
def status_file(tmp_path: Path) -> Path:
    path = tmp_path / "status.yml"
    shutil.copy(KB_DIR / STATUS_FILE, path)
    return path


def records(record: DocumentStatus) -> dict[str, DocumentStatus]:
    return {record.number: record}


def test_the_committed_status_is_unknown_and_says_so() -> None:
    committed = read_status(KB_DIR / STATUS_FILE)
    assert committed[DOC].status is Status.UNKNOWN
    line = status_line(DOC, committed)
    # the document's number, start date, that it states no validity period, and whom to ask
    for part in (DOC, "2020年10月25日起实施", "文件未写明有效期", "尚未核实", "12345"):
        assert part in line
    assert status_warning(DOC, committed) == ""


def test_lines_for_each_status() -> None:
    in_force = DocumentStatus(DOC, Status.IN_FORCE, verified_on=VERIFIED, verified_where="区司法局")
    assert "工作人员2026年12月1日核实仍在执行" in status_line(DOC, records(in_force))
    assert status_warning(DOC, records(in_force)) == ""
    expired = DocumentStatus(
        DOC, Status.EXPIRED, expired_on=date(2025, 10, 25), verified_on=VERIFIED, verified_where="x"
    )
    warning = status_warning(DOC, records(expired))
    assert warning.startswith("请注意：") and "2025年10月25日失效" in warning
    assert "失效" in status_line(DOC, records(expired))
    superseded = DocumentStatus(
        DOC,
        Status.SUPERSEDED,
        superseded_by="新文件",
        verified_on=VERIFIED,
        verified_where="x",
    )
    assert "已被新文件取代" in status_warning(DOC, records(superseded))


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (DocumentStatus(DOC, Status.IN_FORCE), "needs verified_on and verified_where"),
        (
            DocumentStatus(DOC, Status.EXPIRED, verified_on=VERIFIED, verified_where="x"),
            "needs expired_on",
        ),
        (
            DocumentStatus(DOC, Status.SUPERSEDED, verified_on=VERIFIED, verified_where="x"),
            "needs superseded_by",
        ),
        (
            DocumentStatus(DOC, verified_on=date.today() + timedelta(days=2), verified_where="x"),
            "in the future",
        ),
    ],
)
def test_incomplete_records_are_refused(record: DocumentStatus, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        record.check()


def test_a_broken_status_file_names_the_line(status_file: Path) -> None:
    status_file.write_text(
        "documents:\n  嘉府规〔2020〕8号:\n    status: lapsed\n    expired_on: null\n"
        "    superseded_by: ''\n    verified_on: null\n    verified_where: ''\n",
        encoding="utf-8",
    )
    with pytest.raises(KbError) as err:
        read_status(status_file)
    assert err.value.line == 2 and "lapsed" in str(err.value)


def test_claims_are_checked_against_the_status() -> None:
    doc = SOURCES[DOC]
    unknown = DocumentStatus(DOC)
    assert contradicting_claims("本政策现行有效", unknown, doc) == ["现行有效"]
    assert contradicting_claims("该文件已失效", unknown, doc) == ["已失效"]
    in_force = DocumentStatus(DOC, Status.IN_FORCE, verified_on=VERIFIED, verified_where="x")
    assert contradicting_claims("本政策现行有效", in_force, doc) == []
    assert contradicting_claims("该文件已失效", in_force, doc) == ["已失效"]
    assert contradicting_claims("有效期至2025年", in_force, doc) == ["有效期至"]
    assert contradicting_claims("区里为企业提供服务", unknown, doc) == []


def test_staff_command_shows_and_records_the_status(
    status_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--file", str(status_file)]) == 0
    assert "unknown" in capsys.readouterr().out
    refused = main(["status", "--file", str(status_file), "--set", "expired"])
    assert refused == 1 and "needs" in capsys.readouterr().err
    assert read_status(status_file)[DOC].status is Status.UNKNOWN  # nothing written
    args = ["--set", "expired", "--expired-on", "2025-10-25", "--verified-on", "2026-12-01"]
    assert main(["status", "--file", str(status_file), *args, "--where", "区政府网站"]) == 0
    out = capsys.readouterr().out
    assert "answers start: 请注意：" in out
    record = read_status(status_file)[DOC]
    assert record.status is Status.EXPIRED and record.expired_on == date(2025, 10, 25)
    assert record.verified_where == "区政府网站"
    assert status_file.read_text(encoding="utf-8").startswith("# ")  # the header is kept


def test_recording_a_status_does_not_rebuild_the_index(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(KB_DIR, kb)
    before = kb_hash(kb)
    record = DocumentStatus(DOC, Status.IN_FORCE, verified_on=VERIFIED, verified_where="x")
    write_status(kb / STATUS_FILE, record)
    assert kb_hash(kb) == before
    (kb / "format.yml").write_text("changed: 1\n", encoding="utf-8")
    assert kb_hash(kb) != before
