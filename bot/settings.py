"""Read every setting in one place, from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings for the three processes; defaults are the embedded one-machine mode.

    Each field is read from the environment variable of the same name in upper case
    (``rasa_port`` from ``RASA_PORT``), then from ``.env``.
    """

    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    service_port: int = 8000
    shell_port: int = 5006

    # Rasa HTTP API token; `make setup` generates one into .env when none is set.
    rasa_auth_token: str = ""

    model_path: Path = PROJECT_ROOT / "models" / "jiading.tar.gz"
    # SQLite file of Rasa's tracker store (embedded default).
    tracker_db: Path = PROJECT_ROOT / "var" / "tracker.db"
    log_level: str = "INFO"

    # Appeal database: SQLite file by default; a postgresql:// URL at scale (no code change).
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'appeals.db'}"
    # Run the Alembic migrations when the service starts (off when a deploy step runs them).
    auto_migrate: bool = True
    # Seconds between passes of the supervision job (督办 of overdue appeals); 0 = off.
    supervise_interval_s: float = 300
    # Days after an appeal is closed until its contact name and phone are purged (the chat
    # tells users this figure before asking for contact details).
    personal_data_retention_days: int = 180
    # The action server's durable outbox for appeals the service could not take at once.
    outbox_path: Path = PROJECT_ROOT / "var" / "outbox.db"

    class Config:  # noqa: D106 - pydantic's settings configuration
        env_file = str(PROJECT_ROOT / ".env")
        env_file_encoding = "utf-8"

    @property
    def service_url(self) -> str:
        """Base URL of the service (routing API), as the action server calls it."""
        return f"http://{self.host}:{self.service_port}"

    @property
    def action_endpoint_url(self) -> str:
        """URL of the action server's webhook, as Rasa's endpoints.yml needs it."""
        return f"http://{self.host}:{self.action_port}/webhook"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
