"""HTTP API of the appeal backend (contract 3 of ARCHITECTURE.md), mounted by bot.app."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
)
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.appeals.fields import DECLARED
from bot.appeals.service.filing import IdempotencyConflict
from bot.appeals.service.intake import FieldProblems, normalise_body
from bot.appeals.service.service import AppealService
from bot.appeals.service.states import IllegalTransition
from bot.appeals.service.store import Forbidden, NotFound
from bot.appeals.service.views import listed
from bot.servicedb.tokens import Actor, TokenStore
from bot.wording import service_wording

TRACKING_NO = r"^[A-Z]{2}-\d{8}-\d{4,}$"
Channel = Literal["chat", "wechat", "hotline", "web", "offline"]
Action = Literal["triage", "dispatch", "accept", "reply", "close", "reopen", "escalate"]


class ErrorOut(BaseModel):
    """An error answer: what went wrong, in words for the user."""

    detail: str


class FieldError(BaseModel):
    """One problem with one part of a request, in FastAPI's shape."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidOut(BaseModel):
    """A 422: FastAPI's list of field problems, or one message (a rule beyond the schema)."""

    detail: list[FieldError] | str


ERRORS = {
    400: "The request body is not valid JSON",
    401: "No valid token",
    403: "The token's department may not do this",
    404: "Not found",
    409: "Not possible in the current state",
    413: "The request body is too large",
    429: "Too many requests from this client; retry after Retry-After seconds",
    502: "The conversation service (Rasa) is unreachable; nothing changed",
    503: "The service is not configured for this",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Document a route's error answers: ``codes`` and the 422 every route with input has."""
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorOut, "description": ERRORS[code]} for code in codes
    }
    responses[422] = {"model": InvalidOut, "description": "Validation Error"}
    return responses


class AppealIn(BaseModel):
    """An appeal as an enterprise (or an agent on its behalf) submits it.

    The explicit schema of the API contract; its fields and limits are the declaration's
    (bot.appeals.fields), which a test keeps equal.
    """

    enterprise_name: str = Field(..., max_length=DECLARED["enterprise_name"].max_length)
    credit_code: str = Field(..., max_length=DECLARED["credit_code"].max_length)
    contact_name: str = Field(..., max_length=DECLARED["contact_name"].max_length)
    phone: str = Field(..., max_length=DECLARED["phone"].max_length)
    town: str = Field(..., max_length=DECLARED["town"].max_length)
    category: str = Field(..., max_length=DECLARED["category"].max_length)
    description: str = Field(..., max_length=DECLARED["description"].max_length)
    channel: Channel = "web"


class AppealCreated(BaseModel):
    """What a filed appeal gets back."""

    tracking_no: str
    status: str
    proposed_department: str
    contact_due_at: str
    due_at: str


class RatingIn(BaseModel):
    """The enterprise's rating of a reply."""

    phone_last4: str = Field(..., regex=r"^\d{4}$")
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class ActionIn(BaseModel):
    """Parameters of a staff action (only those the action uses are read)."""

    note: str = Field("", max_length=1000)
    lead_department: str | None = Field(None, description="triage: department code")
    complexity: Literal["simple", "complex"] | None = None
    reply: str | None = Field(None, max_length=4000)


def service(request: Request) -> AppealService:
    """Return the app's appeal service."""
    return request.app.state.appeals  # type: ignore[no-any-return]


def staff(request: Request, authorization: str = Header("")) -> Actor:
    """Authenticate a staff bearer token; the actor is its department."""
    scheme, _, token = authorization.partition(" ")
    store: TokenStore = request.app.state.tokens
    found = store.identify(token) if scheme.lower() == "bearer" else None
    if found is None:
        raise HTTPException(
            401, service_wording().staff_token_required, headers={"WWW-Authenticate": "Bearer"}
        )
    return Actor(*found)


def register_error_handlers(app: FastAPI) -> None:
    """Answer NotFound from any route with one and the same 404.

    An unknown number, a number the caller may not see and a wrong phone pair look alike.
    """

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, _exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": service_wording().appeal_not_found}, status_code=404)


def build_router() -> APIRouter:
    """Build the /api routes."""
    router = APIRouter(prefix="/api")

    @router.post(
        "/appeals",
        status_code=201,
        response_model=AppealCreated,
        tags=["appeals"],
        responses=errors(400, 413, 429),
    )
    def file_appeal(
        body: AppealIn,
        response: Response,
        idempotency_key: str = Header(..., min_length=8, max_length=100),
        appeals: AppealService = Depends(service),
    ) -> dict[str, Any]:
        """File an appeal; the same Idempotency-Key and body return the same appeal."""
        try:
            normalised = normalise_body(body.dict())
        except FieldProblems as problems:
            raise HTTPException(422, problems.detail()) from problems
        try:
            result, created = appeals.create(idempotency_key, normalised)
        except IdempotencyConflict as exc:
            raise HTTPException(422, service_wording().idempotency_conflict) from exc
        if not created:
            response.headers["Idempotent-Replayed"] = "true"
        return result

    @router.get("/appeals/{tracking_no}", tags=["appeals"], responses=errors(404, 429))
    def appeal_status(
        tracking_no: str = Path(..., regex=TRACKING_NO),
        phone_last4: str = Query(..., regex=r"^\d{4}$"),
        appeals: AppealService = Depends(service),
    ) -> dict[str, Any]:
        """Public status and timeline; nothing personal. Wrong pair = unknown number."""
        return appeals.public_view(tracking_no, phone_last4)

    @router.post(
        "/appeals/{tracking_no}/rating", tags=["appeals"], responses=errors(400, 404, 409, 413, 429)
    )
    def rate(
        body: RatingIn,
        tracking_no: str = Path(..., regex=TRACKING_NO),
        appeals: AppealService = Depends(service),
    ) -> dict[str, Any]:
        """Rate the reply (1-5); 1-2 reopens the appeal for 区经委 review."""
        try:
            return appeals.rate(tracking_no, body.phone_last4, body.score, body.comment)
        except IllegalTransition as exc:
            raise HTTPException(409, service_wording().rating_before_reply) from exc

    @router.get("/staff/appeals", tags=["staff"], responses=errors(401))
    def list_appeals(
        status: str | None = None,
        overdue: bool | None = None,
        actor: Actor = Depends(staff),
        appeals: AppealService = Depends(service),
    ) -> list[dict[str, Any]]:
        """List the department's appeals (区经委: all), filterable by status and overdue.

        Contact details are masked: open one appeal for them (the read is recorded).
        """
        return [listed(a) for a in appeals.list_appeals(actor, status=status, overdue=overdue)]

    @router.get("/staff/overdue", tags=["staff"], responses=errors(401))
    def overdue(
        actor: Actor = Depends(staff), appeals: AppealService = Depends(service)
    ) -> list[dict[str, Any]]:
        """Open appeals past their due date (contact details masked, as in the list)."""
        return [listed(a) for a in appeals.list_appeals(actor, overdue=True)]

    @router.get("/staff/stats", tags=["staff"], responses=errors(401))
    def stats(
        actor: Actor = Depends(staff), appeals: AppealService = Depends(service)
    ) -> list[dict[str, Any]]:
        """Per department: count, on-time rate, average rating (a department: its own row)."""
        rows = appeals.stats()
        if actor.department == appeals.rules.triage:
            return rows
        return [r for r in rows if r["code"] == actor.department]

    @router.get("/staff/appeals/{tracking_no}", tags=["staff"], responses=errors(401, 404))
    def show(
        tracking_no: str = Path(..., regex=TRACKING_NO),
        actor: Actor = Depends(staff),
        appeals: AppealService = Depends(service),
    ) -> dict[str, Any]:
        """One appeal with its event log."""
        return appeals.staff_view(actor, tracking_no)

    @router.post(
        "/staff/appeals/{tracking_no}/{action}",
        tags=["staff"],
        responses=errors(400, 401, 403, 404, 409, 413),
    )
    def act(
        action: Action,
        body: ActionIn,
        tracking_no: str = Path(..., regex=TRACKING_NO),
        actor: Actor = Depends(staff),
        appeals: AppealService = Depends(service),
    ) -> dict[str, Any]:
        """Take one step of the loop; an illegal transition is 409 and changes nothing."""
        try:
            return appeals.act(actor, tracking_no, action, **body.dict())
        except Forbidden as exc:
            raise HTTPException(403, str(exc)) from exc
        except IllegalTransition as exc:
            raise HTTPException(409, str(exc)) from exc
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc

    @router.post("/staff/supervise", tags=["staff"], responses=errors(401, 403))
    def supervise(
        actor: Actor = Depends(staff), appeals: AppealService = Depends(service)
    ) -> dict[str, Any]:
        """Run the supervision job now (区经委 only)."""
        if actor.department != appeals.rules.triage:
            raise HTTPException(403, "only 区经委 may run supervision")
        return {"supervised": appeals.supervise()}

    return router
