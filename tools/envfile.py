"""Create `.env` with a generated Rasa API token on first set-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import dotenv_values, set_key

from bot.settings import PROJECT_ROOT

ENV_FILE = PROJECT_ROOT / ".env"
TOKEN_KEY = "RASA_AUTH_TOKEN"


def ensure_auth_token(env_file: Path = ENV_FILE) -> bool:
    """Write a random RASA_AUTH_TOKEN into ``env_file`` unless one is set; True if written.

    A token in the process environment wins and is never copied to disk.
    """
    if os.environ.get(TOKEN_KEY):
        return False
    if env_file.exists() and dotenv_values(env_file).get(TOKEN_KEY):
        return False
    env_file.touch(mode=0o600, exist_ok=True)
    set_key(str(env_file), TOKEN_KEY, secrets.token_urlsafe(32), quote_mode="never")
    os.chmod(env_file, 0o600)
    return True
