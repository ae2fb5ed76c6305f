"""Staff command line for the appeal backend (`python -m bot.appeals.service --help`).

Runs on the server against DATABASE_URL. Actions are taken as a department (`--as`), with the
same rules as the API: a department sees and changes only its own appeals, 区经委 all.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.appeals.service.backend import open_backend
from bot.appeals.service.states import IllegalTransition
from bot.appeals.service.store import Forbidden, NotFound
from bot.appeals.service.views import listed
from bot.servicedb.db import migrate
from bot.servicedb.tokens import Actor
from bot.settings import get_settings

ACTIONS = ("triage", "dispatch", "accept", "reply", "close", "reopen", "escalate")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.appeals.service", description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the database schema up to date")
    token = sub.add_parser("create-token", help="issue a staff token for a department")
    token.add_argument("department", help="department code, see config/routing.yml")
    token.add_argument("--label", required=True, help="who holds it, e.g. a name")
    listing = sub.add_parser("list", help="list appeals")
    listing.add_argument("--as", dest="actor", required=True, help="department code")
    listing.add_argument("--status")
    listing.add_argument("--overdue", action="store_true")
    show = sub.add_parser("show", help="show one appeal with its event log")
    show.add_argument("tracking_no")
    show.add_argument("--as", dest="actor", required=True)
    reads = sub.add_parser("reads", help="who read an appeal's contact details (区经委)")
    reads.add_argument("tracking_no")
    for action in ACTIONS:
        cmd = sub.add_parser(action, help=f"{action} an appeal")
        cmd.add_argument("tracking_no")
        cmd.add_argument("--as", dest="actor", required=True)
        cmd.add_argument("--note", default="")
        if action == "triage":
            cmd.add_argument("--lead-department")
            cmd.add_argument("--complexity", choices=("simple", "complex"))
        if action == "reply":
            cmd.add_argument("--reply", required=True, help="the reply to the enterprise")
    sub.add_parser("supervise", help="flag overdue appeals (督办) and escalate them to 区经委")
    sub.add_parser("stats", help="per-department figures")
    purge = sub.add_parser("purge", help="clear contact name and phone of long-closed appeals")
    purge.add_argument(
        "--days", type=int, default=None, help="default: PERSONAL_DATA_RETENTION_DAYS"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; print JSON; exit 1 with a message on a refused action."""
    args = _parser().parse_args(argv)
    url = args.database_url or get_settings().database_url
    if args.command == "migrate":
        migrate(url)
        print("database is up to date")
        return 0
    backend = open_backend(url)
    appeals = backend.appeals
    result: Any
    try:
        if args.command == "create-token":
            appeals.rules.department(args.department)  # unknown code -> StopIteration
            result = {
                "department": args.department,
                "token": backend.tokens.create(args.department, args.label),
            }
        elif args.command == "list":
            rows = appeals.list_appeals(
                Actor(args.actor), status=args.status, overdue=args.overdue or None
            )
            result = [listed(a) for a in rows]
        elif args.command == "show":
            result = appeals.staff_view(Actor(args.actor, "cli"), args.tracking_no)
        elif args.command == "reads":
            result = appeals.personal_data_reads(Actor(appeals.rules.triage), args.tracking_no)
        elif args.command in ACTIONS:
            params = {
                k: v
                for k, v in vars(args).items()
                if k in ("note", "lead_department", "complexity", "reply")
            }
            result = appeals.act(Actor(args.actor), args.tracking_no, args.command, **params)
        elif args.command == "supervise":
            result = {"supervised": appeals.supervise()}
        elif args.command == "purge":
            days = (
                args.days if args.days is not None else get_settings().personal_data_retention_days
            )
            result = {"purged": appeals.purge_personal_data(days)}
        else:
            result = appeals.stats()
    except StopIteration:
        print(f"unknown department {args.department!r}", file=sys.stderr)
        return 1
    except NotFound as exc:
        print(f"no appeal {exc} visible to this department", file=sys.stderr)
        return 1
    except (Forbidden, IllegalTransition, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
