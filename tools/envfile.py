"""Create `.env` with generated secrets (Rasa API token, internal token) on first set-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import dotenv_values, set_key

from bot.settings import PROJECT_ROOT

ENV_FILE = PROJECT_ROOT / ".env"
TOKEN_KEY = "RASA_AUTH_TOKEN"
# Every secret the one-machine set-up generates when none is given.
GENERATED_KEYS = (TOKEN_KEY, "INTERNAL_TOKEN", "ACTION_SERVER_TOKEN")


def ensure_secret(key: str, env_file: Path = ENV_FILE) -> bool:
    """Write a random value for ``key`` into ``env_file`` unless one is set; True if written.

    A value in the process environment wins and is never copied to disk.
    """
    if os.environ.get(key):
        return False
    if env_file.exists() and dotenv_values(env_file).get(key):
        return False
    env_file.touch(mode=0o600, exist_ok=True)
    set_key(str(env_file), key, secrets.token_urlsafe(32), quote_mode="never")
    os.chmod(env_file, 0o600)
    return True


def ensure_auth_token(env_file: Path = ENV_FILE) -> bool:
    """Write a random RASA_AUTH_TOKEN into ``env_file`` unless one is set; True if written."""
    return ensure_secret(TOKEN_KEY, env_file)


def ensure_secrets(env_file: Path = ENV_FILE) -> list[str]:
    """Generate every missing secret of ``GENERATED_KEYS``; return the keys written."""
    return [key for key in GENERATED_KEYS if ensure_secret(key, env_file)]
