"""Staff commands for the knowledge base.

``python -m bot.kb build`` (``make kb``): validate `policies_kb/`, rebuild the jieba user
dictionary and the search index. ``python -m bot.kb search "问题"``: print the ranked entries
with their scores as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from bot.kb.glossary import KB_DIR
from bot.kb.schema import KbError
from bot.kb.search import decide
from bot.kb.store import build_index, load_index


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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
