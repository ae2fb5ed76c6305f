"""Staff tokens: stored hashed, revocable."""

from __future__ import annotations

from sqlalchemy import select

from bot.appeals.service.backend import Backend
from bot.servicedb.models import StaffToken


def test_staff_tokens_are_stored_hashed(backend: Backend) -> None:
    token = backend.tokens.create("tax", "张三")
    assert backend.tokens.department_for(token) == "tax"
    assert backend.tokens.department_for(token + "x") is None
    with backend.appeals.factory() as session:
        stored = session.scalars(select(StaffToken)).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert backend.tokens.revoke("张三") == 1
    assert backend.tokens.department_for(token) is None
