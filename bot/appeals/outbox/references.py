"""Provisional references (``TMP-7KQ2MXHD``) the user gets for an appeal still queued."""

from __future__ import annotations

import re
import secrets

#: Upper-case letters and digits without the look-alikes 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "TMP-"
REFERENCE_LENGTH = 8
#: A provisional reference as the status check should recognise it.
REFERENCE_PATTERN = re.compile(rf"{REFERENCE_PREFIX}[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}")


def new_reference() -> str:
    """Return a fresh provisional reference such as ``TMP-7KQ2MXHD``."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return REFERENCE_PREFIX + chars


def is_provisional_reference(text: str) -> bool:
    """Return whether ``text`` is shaped like a provisional outbox reference."""
    return REFERENCE_PATTERN.fullmatch(text.strip().upper()) is not None
