"""The Rasa version the patches were written against, and the check each patch makes."""

from __future__ import annotations

import logging

import rasa

logger = logging.getLogger(__name__)

# Every patch replaces private methods of this exact version (requirements.lock pins it).
PATCHED_VERSION = "3.6.21"


def written_for_this_rasa(patch: str, installed: str | None = None) -> bool:
    """Return whether ``patch`` may apply to the installed Rasa; warn when it may not."""
    installed = rasa.__version__ if installed is None else installed
    if installed == PATCHED_VERSION:
        return True
    logger.warning("%s not applied: written for Rasa %s, not %s", patch, PATCHED_VERSION, installed)
    return False
