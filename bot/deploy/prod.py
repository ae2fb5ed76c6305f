"""The prod profile: what ``PROFILE=prod`` changes, by configuration only.

- Rasa: ``RASA_PROCESSES`` servers on RASA_PORT, RASA_PORT+1, ... with endpoints.prod.yml
  (PostgreSQL tracker store from TRACKER_URL, Redis lock store from REDIS_URL); the first
  one starts alone (it creates the tracker tables), the others after it.
- Action servers: ``ACTION_PROCESSES`` on ACTION_PORT, ACTION_PORT+1, ...; Rasa server *i*
  calls action server *i* mod ACTION_PROCESSES.
- Service: ``SERVICE_WORKERS`` uvicorn workers on SERVICE_PORT; the appeal database is
  DATABASE_URL (PostgreSQL).
- socket.io: a Redis manager (REDIS_URL) carries messages between the Rasa processes.
- nginx in front (bot/deploy/nginx.py), TLS.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from bot.settings import Settings

PROD = "prod"


class ProfileError(ValueError):
    """The prod profile's settings are incomplete or inconsistent."""


def check(settings: Settings) -> None:
    """Refuse settings the prod profile cannot run with, naming the variable to set."""
    if not settings.database_url.startswith("postgresql"):
        raise ProfileError("PROFILE=prod needs DATABASE_URL=postgresql://... (appeals)")
    if not settings.tracker_url.startswith("postgresql"):
        raise ProfileError("PROFILE=prod needs TRACKER_URL=postgresql://... (conversations)")
    if not settings.redis_url.startswith("redis://"):
        raise ProfileError("PROFILE=prod needs REDIS_URL=redis://host:port/db (locks)")
    if settings.rasa_processes < 1 or settings.action_processes < 1:
        raise ProfileError("RASA_PROCESSES and ACTION_PROCESSES must be at least 1")
    if settings.service_workers < 1:
        raise ProfileError("SERVICE_WORKERS must be at least 1")


def tracker_env(url: str) -> dict[str, str]:
    """Return the variables endpoints.prod.yml reads for the tracker store."""
    parsed = make_url(url)
    return {
        "TRACKER_HOST": parsed.host or "127.0.0.1",
        "TRACKER_PORT": str(parsed.port or 5432),
        "TRACKER_DB_NAME": parsed.database or "rasa",
        "TRACKER_USER": parsed.username or "",
        "TRACKER_PASSWORD": parsed.password or "",
    }


def redis_env(url: str) -> dict[str, str]:
    """Return the variables endpoints.prod.yml reads for the lock store."""
    parsed = make_url(url)
    return {
        "REDIS_HOST": parsed.host or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_DB": (parsed.database or "0"),
        "REDIS_PASSWORD": parsed.password or "",
    }


def action_url(settings: Settings, index: int) -> str:
    """Return the action server webhook Rasa server ``index`` calls."""
    port = settings.action_port + index % settings.action_processes
    return f"http://{settings.host}:{port}/webhook"
