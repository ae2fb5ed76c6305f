"""Staff commands for the knowledge base.

``python -m bot.kb build`` (``make kb``): validate `policies_kb/`, rebuild the jieba user
dictionary and the search index. ``python -m bot.kb search "问题"``: print the ranked entries
with their scores as JSON. ``python -m bot.kb status``: show each source document's recorded
status and the line answers carry; with ``--set``, record what staff verified (then restart
the assistant), e.g.::

    python -m bot.kb status --set expired --expired-on 2025-10-25 \
        --verified-on 2026-12-06 --where "区司法局行政规范性文件目录"
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path

from bot.kb.glossary import KB_DIR
from bot.kb.schema import KbError
from bot.kb.search import decide
from bot.kb.source import SOURCES
from bot.kb.status import Status, read_status, status_line, status_warning, updated, write_status
from bot.kb.store import build_index, load_index
from bot.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    """Run a knowledge-base command."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.kb",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="validate policies_kb/ and rebuild dictionary and index")
    build.add_argument("--kb", type=Path, default=KB_DIR, help="knowledge-base folder")
    search = sub.add_parser("search", help="rank the entries for a question")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=5, help="how many entries to show")
    status = sub.add_parser("status", help="show or record a source document's status")
    status.add_argument("--document", default=next(iter(SOURCES)), help="document number")
    status.add_argument("--set", choices=[s.value for s in Status], dest="new_status")
    status.add_argument("--verified-on", type=date.fromisoformat, help="YYYY-MM-DD")
    status.add_argument("--where", help="where the status was verified")
    status.add_argument("--expired-on", type=date.fromisoformat, help="YYYY-MM-DD")
    status.add_argument("--superseded-by", help="the document that replaced it")
    status.add_argument("--file", type=Path, default=None, help="status file (KB_STATUS_FILE)")
    args = parser.parse_args(argv)
    if args.command == "status":
        return _status(args)
    try:
        stored = build_index(args.kb) if args.command == "build" else load_index()
    except KbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.command == "build":
        c = stored.calibration
        print(f"knowledge base: {len(stored.index.entries)} entries; index built")
        how = "calibrated now" if c.calibrated else "recorded (no ../shared/ood here)"
        print(f"calibration, {how}: {dataclasses.asdict(c)}")
        return 0
    result = decide(stored.index, args.question, k=args.k)
    print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    return 0


def _status(args: argparse.Namespace) -> int:
    """Show the recorded status of every document, or record a new one for one document."""
    path = args.file or get_settings().kb_status_file
    try:
        records = read_status(path)
        if args.new_status:
            if args.document not in records:
                print(f"error: unknown document {args.document}", file=sys.stderr)
                return 1
            record = updated(
                records[args.document],
                status=Status(args.new_status),
                verified_on=args.verified_on,
                verified_where=args.where or "",
                expired_on=args.expired_on,
                superseded_by=args.superseded_by or "",
            )
            write_status(path, record)
            records = read_status(path)
            print(f"recorded in {path}; restart the assistant for answers to say it")
    except (KbError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for number, record in records.items():
        print(f"{number}: {record.status.value}", end="")
        if record.verified_on:
            print(f" (verified {record.verified_on} at {record.verified_where})", end="")
        print()
        warning = status_warning(number, records)
        if warning:
            print(f"  answers start: {warning}")
        print(f"  answers end:   {status_line(number, records)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
