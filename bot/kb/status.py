"""Each source document's status as staff last verified it, and the lines answers carry.

The status lives in `policies_kb/source/status.yml` (the `KB_STATUS_FILE` setting), apart from
the entries, so staff can record what they verified without rebuilding the index. Every policy
answer and the finder's list end with a line built from it; an expired or superseded document
is announced before the answer. `make kb` refuses an entry that claims a status the record
contradicts (see `contradicting_claims`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.kb.errors import KbError
from bot.kb.source import SOURCES, SourceDocument, chinese_date
from bot.kb.wording import format_strings
from bot.kb.yamlfile import key_lines, read_yaml
from bot.settings import get_settings


class Status(Enum):
    """What staff found when they last checked a document."""

    IN_FORCE = "in_force"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DocumentStatus:
    """One document's recorded status."""

    number: str
    status: Status = Status.UNKNOWN
    expired_on: date | None = None
    superseded_by: str = ""
    verified_on: date | None = None
    verified_where: str = ""

    def check(self) -> None:
        """Raise ValueError when the record is not complete for its status."""
        if self.status is not Status.UNKNOWN and (
            self.verified_on is None or not self.verified_where
        ):
            raise ValueError(f"status {self.status.value} needs verified_on and verified_where")
        if self.status is Status.EXPIRED and self.expired_on is None:
            raise ValueError("status expired needs expired_on")
        if self.status is Status.SUPERSEDED and not self.superseded_by:
            raise ValueError("status superseded needs superseded_by")
        if self.verified_on is not None and self.verified_on > date.today():
            raise ValueError("verified_on is in the future")

    @property
    def lapsed(self) -> bool:
        """True when the document no longer applies (expired or superseded)."""
        return self.status in (Status.EXPIRED, Status.SUPERSEDED)


_FIELDS = ("status", "expired_on", "superseded_by", "verified_on", "verified_where")


def _parse(number: str, raw: Any, path: Path, line: int) -> DocumentStatus:
    if not isinstance(raw, dict) or sorted(raw) != sorted(_FIELDS):
        raise KbError(path, line, f"{number}: give exactly {', '.join(_FIELDS)}")
    try:
        record = DocumentStatus(
            number=number,
            status=Status(raw["status"]),
            expired_on=_optional_date(raw["expired_on"]),
            superseded_by=str(raw["superseded_by"] or ""),
            verified_on=_optional_date(raw["verified_on"]),
            verified_where=str(raw["verified_where"] or ""),
        )
        record.check()
    except ValueError as exc:
        raise KbError(path, line, f"{number}: {exc}") from exc
    return record


def _optional_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) or null")


def read_status(path: Path) -> dict[str, DocumentStatus]:
    """Read and check a status file: one record for every source document."""
    data, root = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("documents"), dict) or root is None:
        raise KbError(path, 1, "expected documents: {<document number>: {status: ...}}")
    node = next(v for k, v in root.value if k.value == "documents")
    lines = key_lines(node)
    records = {
        str(number): _parse(str(number), raw, path, lines.get(str(number), 1))
        for number, raw in data["documents"].items()
    }
    missing = sorted(set(SOURCES) - set(records))
    unknown = sorted(set(records) - set(SOURCES))
    if missing or unknown:
        raise KbError(path, 1, f"missing {missing}, not a source document {unknown}")
    return records


def write_status(path: Path, record: DocumentStatus) -> None:
    """Replace one document's record, keeping the file's comment header."""
    records = read_status(path)
    record.check()
    records[record.number] = record
    text = path.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    body = {
        number: {
            "status": r.status.value,
            "expired_on": r.expired_on,
            "superseded_by": r.superseded_by,
            "verified_on": r.verified_on,
            "verified_where": r.verified_where,
        }
        for number, r in records.items()
    }
    dumped = yaml.safe_dump({"documents": body}, allow_unicode=True, sort_keys=False)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(header + dumped, encoding="utf-8")
    tmp.replace(path)


def updated(record: DocumentStatus, **changes: Any) -> DocumentStatus:
    """Return the record with `changes`, checked."""
    new = replace(record, **changes)
    new.check()
    return new


@cache
def current_status(path: Path | None = None) -> dict[str, DocumentStatus]:
    """Return the status records the assistant answers with (read once per process)."""
    return read_status(path or get_settings().kb_status_file)


def _values(doc: SourceDocument, record: DocumentStatus) -> dict[str, str]:
    strings = format_strings()
    validity = (
        strings["status_validity_stated"].format(expiry=chinese_date(doc.stated_expiry))
        if doc.stated_expiry
        else strings["status_validity_none"]
    )
    return {
        "number": doc.number,
        "effective": doc.effective_text,
        "validity": validity,
        "expired_on": chinese_date(record.expired_on) if record.expired_on else "",
        "superseded_by": record.superseded_by,
        "verified_on": chinese_date(record.verified_on) if record.verified_on else "",
    }


def status_line(number: str, records: dict[str, DocumentStatus] | None = None) -> str:
    """Return the status line of every answer from `number` (before its citation)."""
    record = (records or current_status())[number]
    key = {
        Status.IN_FORCE: "status_in_force",
        Status.EXPIRED: "status_expired",
        Status.SUPERSEDED: "status_superseded",
        Status.UNKNOWN: "status_unknown_checked" if record.verified_on else "status_unknown",
    }[record.status]
    return format_strings()[key].format(**_values(SOURCES[number], record))


def status_warning(number: str, records: dict[str, DocumentStatus] | None = None) -> str:
    """Return the line an answer starts with when `number` no longer applies ('' otherwise)."""
    record = (records or current_status())[number]
    if not record.lapsed:
        return ""
    key = (
        "status_warning_expired" if record.status is Status.EXPIRED else "status_warning_superseded"
    )
    return format_strings()[key].format(**_values(SOURCES[number], record))


# Claims about a document's validity that an entry could make, by what they claim.
_CLAIMS_IN_FORCE = re.compile(
    r"现行有效|长期有效|仍然有效|仍有效|一直有效|目前有效|至今有效|继续有效"
)
_CLAIMS_LAPSED = re.compile(r"已失效|已经失效|已废止|已经废止|已过期|不再有效|已被取代|已停止执行")
_CLAIMS_VALIDITY = re.compile(r"有效期(?:至|到|为|是)")


def contradicting_claims(text: str, record: DocumentStatus, doc: SourceDocument) -> list[str]:
    """Phrases of an entry's text that claim a status the record does not support.

    An unknown status supports no claim either way; a validity period is the document's to
    state (documents.yml), never an entry's.
    """
    found = []
    if record.status is not Status.IN_FORCE:
        found += _CLAIMS_IN_FORCE.findall(text)
    if not record.lapsed:
        found += _CLAIMS_LAPSED.findall(text)
    if doc.stated_expiry is None:
        found += _CLAIMS_VALIDITY.findall(text)
    return found
