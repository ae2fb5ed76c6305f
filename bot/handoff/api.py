"""HTTP API of handoffs, mounted by bot.app.

- ``POST /api/handoffs``: the chat's handoff action opens one (sender id, channel, reason),
  authorised with the internal token the action server and the service share.
- ``/api/staff/handoffs...``: the console's inbox (staff of ``HANDOFF_DEPARTMENTS``, 区经委
  by default; others get 403): list, transcript, take, reply, hand back, close. Only the
  agent (token label) who took a handoff may write to it.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.appeals.service.api import errors, staff
from bot.handoff.rasa_api import RasaUnavailable
from bot.handoff.service import (
    HandoffConflict,
    HandoffNotFound,
    HandoffService,
    UnsupportedChannel,
)
from bot.servicedb.tokens import Actor
from bot.wording import service_wording

SENDER_ID = r"^[A-Za-z0-9_\-:.@]{1,128}$"
MESSAGE_MAX = 1000
# handoffs.id is a 32-bit INTEGER column: a larger number would fail in the database (500).
HandoffId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the handoff's id")]


class HandoffIn(BaseModel):
    """What the handoff action sends."""

    sender_id: str = Field(..., regex=SENDER_ID)
    channel: str = Field(..., max_length=20)
    reason: Literal["request", "fallback"] = "request"


class AgentMessageIn(BaseModel):
    """An agent's message to the user."""

    text: str = Field(..., min_length=1, max_length=MESSAGE_MAX)


def handoffs(request: Request) -> HandoffService:
    """Return the app's handoff service."""
    return request.app.state.handoffs  # type: ignore[no-any-return]


def desk(request: Request, actor: Actor = Depends(staff)) -> Actor:
    """Accept only staff of the departments that work handoffs (HANDOFF_DEPARTMENTS)."""
    if actor.department not in request.app.state.settings.handoff_desks:
        raise HTTPException(403, service_wording().handoff_desk_only)
    return actor


def internal(request: Request, authorization: str = Header("")) -> None:
    """Accept only our own processes (the internal token, compared in constant time)."""
    expected = str(request.app.state.settings.internal_token)
    scheme, _, given = authorization.partition(" ")
    if not expected:
        raise HTTPException(503, "INTERNAL_TOKEN is not configured")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "unauthorised", headers={"WWW-Authenticate": "Bearer"})


def register_error_handlers(app: FastAPI) -> None:
    """Answer the handoff errors the same way from every route."""

    @app.exception_handler(HandoffNotFound)
    async def not_found(_request: Request, _exc: HandoffNotFound) -> JSONResponse:
        return JSONResponse({"detail": service_wording().handoff_not_found}, status_code=404)

    @app.exception_handler(HandoffConflict)
    async def conflict(_request: Request, exc: HandoffConflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(RasaUnavailable)
    async def rasa_down(_request: Request, _exc: RasaUnavailable) -> JSONResponse:
        detail = service_wording().handoff_chat_unavailable
        return JSONResponse({"detail": detail}, status_code=502)


def build_router() -> APIRouter:
    """Build the handoff routes."""
    router = APIRouter(prefix="/api")

    @router.post(
        "/handoffs",
        status_code=201,
        tags=["handoffs"],
        responses={
            200: {"description": "The conversation's handoff, already open"},
            **errors(400, 401, 413, 503),
        },
    )
    def open_handoff(
        body: HandoffIn,
        response: Response,
        _internal: None = Depends(internal),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """Open a handoff for a conversation (201), or return its open one (200)."""
        try:
            item, created = service.open(body.sender_id, body.channel, body.reason)
        except UnsupportedChannel as exc:
            raise HTTPException(422, service_wording().handoff_unreachable_channel) from exc
        if not created:
            response.status_code = 200
        return {**item, "created": created}

    @router.get("/staff/handoffs", tags=["handoffs"], responses=errors(401, 403))
    def list_handoffs(
        status: Literal["active", "waiting", "taken", "ended"] = "active",
        actor: Actor = Depends(desk),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """List handoffs: waiting first (oldest first), then taken; or the ended ones."""
        items = service.inbox(actor, status)
        return {"waiting": sum(i["status"] == "waiting" for i in items), "items": items}

    @router.get("/staff/handoffs/{handoff_id}", tags=["handoffs"], responses=errors(401, 403, 404))
    def show_handoff(
        handoff_id: HandoffId,
        actor: Actor = Depends(desk),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """One handoff with the conversation's transcript (phone and ID numbers masked)."""
        return service.detail(actor, handoff_id)

    @router.post(
        "/staff/handoffs/{handoff_id}/take",
        tags=["handoffs"],
        responses=errors(401, 403, 404, 409, 502),
    )
    def take(
        handoff_id: HandoffId,
        actor: Actor = Depends(desk),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """Take a waiting handoff: the bot stops answering this user until it is handed back."""
        return service.take(actor, handoff_id)

    @router.post(
        "/staff/handoffs/{handoff_id}/messages",
        tags=["handoffs"],
        responses=errors(400, 401, 403, 404, 409, 413, 502),
    )
    def send(
        handoff_id: HandoffId,
        body: AgentMessageIn,
        actor: Actor = Depends(desk),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """Send a message to the user (only by the agent who took the handoff)."""
        text = body.text.strip()
        if not text:
            raise HTTPException(422, service_wording().handoff_empty_message)
        return service.say(actor, handoff_id, text)

    @router.post(
        "/staff/handoffs/{handoff_id}/release",
        tags=["handoffs"],
        responses=errors(401, 403, 404, 409, 502),
    )
    def release(
        handoff_id: HandoffId,
        actor: Actor = Depends(desk),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """Hand the conversation back to the bot."""
        return service.end(actor, handoff_id, close=False)

    @router.post(
        "/staff/handoffs/{handoff_id}/close",
        tags=["handoffs"],
        responses=errors(401, 403, 404, 409, 502),
    )
    def close(
        handoff_id: HandoffId,
        actor: Actor = Depends(desk),
        service: HandoffService = Depends(handoffs),
    ) -> dict[str, Any]:
        """End the handoff (a waiting one, or one you took); the bot answers again."""
        return service.end(actor, handoff_id, close=True)

    return router
