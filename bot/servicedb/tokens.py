"""Staff bearer tokens, one department each, and the actor a token identifies.

Only a SHA-256 of each token is stored.

Tokens are 256-bit random values, so a fast unsalted hash is enough: nothing can be
guessed from it, and lookup by hash needs no constant-time comparison of secrets.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.servicedb.db import transaction
from bot.servicedb.models import StaffToken


@dataclass(frozen=True)
class Actor:
    """Who acts: a department code (from a staff token), or "enterprise" / "system".

    ``label`` is the staff token's label (an agent or desk), where there is a token.
    """

    department: str
    label: str = ""


def token_hash(token: str) -> str:
    """Return the stored form of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Create, check and revoke staff tokens."""

    def __init__(self, factory: sessionmaker) -> None:
        """Bind to the appeal database."""
        self.factory = factory

    def create(self, department: str, label: str) -> str:
        """Issue a token for ``department``; the plain token is shown once and not stored."""
        token = secrets.token_urlsafe(32)
        with transaction(self.factory) as session:
            session.add(
                StaffToken(
                    token_hash=token_hash(token),
                    department=department,
                    label=label,
                    created_at=datetime.now(timezone.utc),
                )
            )
        return token

    def department_for(self, token: str) -> str | None:
        """Return the department of a valid, unrevoked token (None otherwise)."""
        found = self.identify(token)
        return None if found is None else found[0]

    def identify(self, token: str) -> tuple[str, str] | None:
        """Return (department, label) of a valid, unrevoked token (None otherwise)."""
        if not token:
            return None
        with self.factory() as session:
            row = session.scalars(
                select(StaffToken).where(
                    StaffToken.token_hash == token_hash(token), StaffToken.revoked_at.is_(None)
                )
            ).first()
            return None if row is None else (str(row.department), str(row.label))

    def revoke(self, label: str) -> int:
        """Revoke every token with ``label``; return how many."""
        with transaction(self.factory) as session:
            rows = list(session.scalars(select(StaffToken).where(StaffToken.label == label)))
            for row in rows:
                row.revoked_at = datetime.now(timezone.utc)
            return len(rows)
