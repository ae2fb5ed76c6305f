"""Schemathesis against the service's /openapi.json (issue 7).

Every operation of the published schema gets generated requests (valid and invalid bodies,
queries, paths); no response may be a 500, every response must match the schema and have a
documented status code. One app on a fresh SQLite database serves the whole module, with a
filed appeal and an open handoff in it so that some requests reach past "not found", and with
the stand-in for Rasa so that no network is needed. Staff operations are called with a staff
token of 区经委 (it triages and works handoffs, so it sees every route), ``POST /api/handoffs``
with the internal token. Derandomized, so CI sees the same examples every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from bot.app import create_app
from bot.settings import Settings
from tests.bot.appeals.service.conftest import BODY
from tests.bot.handoff.conftest import FakeRasa

INTERNAL_TOKEN = "internal-test-token"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


class Fuzzed:
    """The app under test and the Authorization header each kind of operation gets."""

    def __init__(self, app: FastAPI, staff_token: str) -> None:
        self.app = app
        self.staff = f"Bearer {staff_token}"
        self.internal = f"Bearer {INTERNAL_TOKEN}"

    def authorization(self, path: str) -> str | None:
        if path == "/api/handoffs":
            return self.internal
        if path.startswith("/api/staff/"):
            return self.staff
        return None


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    database = Path(tmp_path_factory.mktemp("fuzz")) / "appeals.db"
    app = create_app(
        Settings(
            rasa_auth_token="t",
            internal_token=INTERNAL_TOKEN,
            database_url=f"sqlite:///{database}",
            supervise_interval_s=0,
            handoff_check_interval_s=0,
            # The per-client limit of /api/appeals (429) would soon answer every request.
            rate_limit_burst=1_000_000,
        )
    )
    rasa = FakeRasa()
    rasa.say("fuzz-sender", "我要找人工客服")
    app.state.handoffs.rasa = rasa
    token = app.state.tokens.create("qjw", "fuzz agent")
    with TestClient(app) as client:
        filed = client.post("/api/appeals", json=BODY, headers={"Idempotency-Key": "fuzz-seed-1"})
        assert filed.status_code == 201, filed.text
        opened = client.post(
            "/api/handoffs",
            json={"sender_id": "fuzz-sender", "channel": "socketio", "reason": "request"},
            headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"},
        )
        assert opened.status_code == 201, opened.text
    return Fuzzed(app, token)


@pytest.fixture(scope="module")
def api_schema(fuzzed: Fuzzed) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, fuzzed: Fuzzed) -> None:
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    authorization = fuzzed.authorization(case.operation.path)
    if authorization is not None:
        headers["Authorization"] = authorization
    case.headers = headers
    case.call_and_validate(checks=CHECKS)
