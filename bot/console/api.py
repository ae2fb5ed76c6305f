"""The 12345 agent console: its page (/console) and its staff API, mounted by bot.app.

The console lives here whole: this module, the page (console.html) and its scripts and styles
(static/, served at /console/static).

The page is static HTML with no data in it; everything else needs a staff bearer token
(`bot.appeals.service.api.staff`). Appeals are filed through the existing ``POST /api/appeals``
(channel "hotline"), so the console checks fields exactly as the chat form does, and looked up
through ``GET /api/staff/appeals/{no}``; this module adds what the console needs besides:
who is signed in, the policy knowledge base, the form's options and the filtered queue.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.appeals.fields import DECLARATION, FieldConfig, load_field_config
from bot.appeals.service.api import errors, service, staff
from bot.appeals.service.service import AppealService
from bot.appeals.service.states import OPEN, Status
from bot.appeals.service.views import masked_phone, masked_text
from bot.appeals.status import load_status_config
from bot.kb.holder import KB
from bot.servicedb.tokens import Actor
from bot.wording import service_wording

STAFF_API = "/api/staff/"
HERE = Path(__file__).parent
PAGE = HERE / "console.html"
STATIC = HERE / "static"  # served at /console/static (bot.app)
# The page loads only its own script and style sheet and talks only to this service.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
MAX_RESULTS = 3
QUESTION_MAX = 500  # as in the chat (bot/input_guard.py)
QUEUE_LIMIT = 200
SUMMARY_CHARS = 60


class NoStoreStaffApi:
    """ASGI middleware: ``Cache-Control: no-store`` on every staff API response."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap the app."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the header to responses under /api/staff/ (including 401s and 404s)."""
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(STAFF_API):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)


# -- the knowledge base (bot.kb's one copy per process, loaded on first use) ---------------


def search_kb(question: str) -> dict[str, Any]:
    """Return the decision and up to three ranked entries, each as the bot would say it.

    The entries the bot would answer or offer are ``selected``; with ``no_match`` none is,
    and the top candidates are still listed, with a note saying they are weak.
    """
    KB.get()  # first: the heavy modules are imported there, under its lock
    from bot.kb.answer import answer_text, citation
    from bot.kb.reply import ReplyKind, reply_to

    # No conversation here: a bare follow-up ("怎么申请") is ranked as any question.
    reply = reply_to(question, k=MAX_RESULTS, followups=False)
    selected = {entry.id for entry in reply.selected}
    results = []
    for hit in reply.hits[:MAX_RESULTS]:
        entry = hit.entry
        # The answered entry as the bot says it, with the quantity notes ("投资二十亿" vs
        # article 8); the others as a button would answer them.
        text = reply.text if entry.id == reply.entry_id else answer_text(entry)
        results.append(
            {
                "entry_id": entry.id,
                "title": entry.title,
                "articles": list(entry.articles),
                "score": round(hit.score, 4),
                "selected": entry.id in selected,
                "text": text,
                "citation": citation(entry),
                "departments": {"lead": list(entry.lead), "responsible": list(entry.responsible)},
            }
        )
    wording = service_wording()
    notes = {
        ReplyKind.ANSWER: "",
        ReplyKind.CHOICES: wording.kb_choices_note,
        ReplyKind.NO_MATCH: wording.kb_no_match_note,
    }
    return {
        "question": question,
        "decision": reply.kind.value,
        "note": notes[reply.kind],
        "results": results,
    }


# -- the queue ----------------------------------------------------------------------------


def is_overdue(appeal: dict[str, Any], now: datetime) -> bool:
    """Return whether an appeal (a staff view) is open and past its due date."""
    if Status(appeal["status"]) not in OPEN or not appeal.get("due_at"):
        return False
    return datetime.fromisoformat(str(appeal["due_at"])) < now


def queue_row(appeal: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Return one line of the queue: no full phone number, no contact, a short summary."""
    description = masked_text(str(appeal.get("description") or ""))
    if len(description) > SUMMARY_CHARS:
        description = description[:SUMMARY_CHARS] + "…"
    return {
        "tracking_no": appeal["tracking_no"],
        "status": appeal["status"],
        "supervised": appeal["supervised"],
        "overdue": is_overdue(appeal, now),
        "channel": appeal["channel"],
        "category": appeal["category"],
        "town": appeal["town"],
        "enterprise_name": appeal["enterprise_name"],
        "phone": masked_phone(appeal.get("phone")),
        "department": appeal["lead_department"] or appeal["proposed_department"],
        "department_confirmed": appeal["lead_department"] is not None,
        "summary": description,
        "received_at": appeal["received_at"],
        "due_at": appeal["due_at"],
    }


# -- routes -------------------------------------------------------------------------------


def form_fields(config: FieldConfig) -> list[dict[str, Any]]:
    """Return the appeal form as the console draws it: the declared fields, worded."""
    choices = {
        "town": [{"value": t, "label": t} for t in config.towns],
        "category": [{"value": c.code, "label": c.label} for c in config.categories],
    }
    return [
        {
            "name": field.name,
            "label": config.fields[field.name].label,
            "example": config.fields[field.name].example,
            "kind": field.kind,
            "max_length": field.max_length,
            **({"choices": choices[field.name]} if field.kind == "choice" else {}),
        }
        for field in DECLARATION
    ]


def build_router() -> APIRouter:
    """Build the console page route and the console's /api/staff routes."""
    router = APIRouter()

    @router.get("/console", response_class=HTMLResponse, include_in_schema=False)
    def console_page() -> HTMLResponse:
        """Serve the agent console (static: it signs in and fetches everything itself)."""
        return HTMLResponse(PAGE.read_text(encoding="utf-8"), headers=PAGE_HEADERS)

    @router.get("/api/staff/me", tags=["console"], responses=errors(401))
    def me(
        request: Request, actor: Actor = Depends(staff), appeals: AppealService = Depends(service)
    ) -> Any:
        """Return the signed-in department: code, name, whether it triages, works handoffs."""
        KB.warm()  # so an agent's first question is quick
        try:
            name = appeals.rules.department(actor.department).name
        except StopIteration:
            name = actor.department
        return {
            "department": actor.department,
            "name": name,
            "triage": actor.department == appeals.rules.triage,
            "handoffs": actor.department in request.app.state.settings.handoff_desks,
        }

    @router.get("/api/staff/kb/search", tags=["console"], responses=errors(401))
    def kb_search(
        q: str = Query(..., max_length=QUESTION_MAX, description="the caller's question"),
        _actor: Actor = Depends(staff),
    ) -> Any:
        """Rank the KB for a caller's question as the bot does (answer, choices, no_match)."""
        question = q.strip()
        if not question:
            raise HTTPException(422, service_wording().console_question_empty)
        return search_kb(question)

    @router.get("/api/staff/appeal-options", tags=["console"], responses=errors(401))
    def appeal_options(
        _actor: Actor = Depends(staff), appeals: AppealService = Depends(service)
    ) -> Any:
        """Return the appeal form's fields, towns and categories, and the queue's labels.

        The form is drawn from ``fields`` (bot.appeals.fields' declaration, in its order):
        the page holds no field list of its own.
        """
        fields = load_field_config()
        status = load_status_config()
        return {
            "fields": form_fields(fields),
            "towns": list(fields.towns),
            "categories": [{"code": c.code, "label": c.label} for c in fields.categories],
            "departments": [
                {"code": d.code, "name": d.name, "kind": d.kind} for d in appeals.rules.departments
            ],
            "statuses": [{"code": s.value, "label": status.statuses[s.value]} for s in Status],
            "actions": dict(status.actions),
            "channels": dict(service_wording().appeal_channels),
        }

    @router.get("/api/staff/queue", tags=["console"], responses=errors(401, 403))
    def queue(
        status: Status | None = None,
        department: str | None = Query(None, description="department code (区经委 only)"),
        town: str | None = None,
        overdue: bool | None = None,
        limit: int = Query(QUEUE_LIMIT, ge=1, le=1000),
        actor: Actor = Depends(staff),
        appeals: AppealService = Depends(service),
    ) -> Any:
        """List appeals for the console: overdue first, then newest; phones masked."""
        codes = {d.code for d in appeals.rules.departments}
        if department and department not in codes:
            raise HTTPException(422, service_wording().console_unknown_department)
        if department and actor.department not in (appeals.rules.triage, department):
            raise HTTPException(403, service_wording().console_triage_only_filter)
        if town and town not in load_field_config().towns:
            raise HTTPException(422, service_wording().console_unknown_town)
        rows = appeals.list_appeals(
            actor,
            status=status.value if status else None,
            overdue=overdue,
            department=department or None,
            town=town or None,
        )
        now = appeals.clock()
        return {
            "total": len(rows),
            "overdue": sum(is_overdue(a, now) for a in rows),
            "items": [queue_row(a, now) for a in rows[:limit]],
        }

    return router
