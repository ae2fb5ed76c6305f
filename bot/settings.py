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
    # Where browsers reach Rasa's socket.io (the widget); empty = this host at RASA_PORT.
    widget_socket_url: str = ""

    # Appeal database: SQLite file by default; a postgresql:// URL at scale (no code change).
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'appeals.db'}"
    # Run the Alembic migrations when the service starts (off when a deploy step runs them).
    auto_migrate: bool = True
    # Seconds between passes of the supervision job (督办 of overdue appeals); 0 = off.
    supervise_interval_s: float = 300
    # Days after an appeal is closed until its contact name and phone are purged (the chat
    # tells users this figure before asking for contact details).
    personal_data_retention_days: int = 180
    # Shared secret of our own processes: the action server sends it to the service to open
    # a handoff. `make setup` generates one into .env when none is set.
    internal_token: str = ""
    # --- Human handoff (bot/handoff) -------------------------------------------------------
    # Seconds a handoff may wait for an agent before the user is told and offered an appeal.
    handoff_timeout_s: float = 300
    # Seconds between the service's checks for handoffs that waited too long.
    handoff_check_interval_s: float = 5
    # Departments (codes, comma-separated) whose staff work the handoff inbox: they read the
    # conversations' transcripts, so other departments' tokens are refused.
    handoff_departments: str = "qjw"

    @property
    def handoff_desks(self) -> frozenset[str]:
        """Return the department codes that may work handoffs."""
        return frozenset(
            code.strip() for code in self.handoff_departments.split(",") if code.strip()
        )

    # The action server's durable outbox for appeals the service could not take at once.
    outbox_path: Path = PROJECT_ROOT / "var" / "outbox.db"

    # --- Profile: "embedded" (one machine, the defaults above) or "prod" (bot/deploy) -------
    # prod: PostgreSQL tracker store and appeal database, Redis lock store and socket.io
    # manager, several processes of each kind, nginx in front (TLS). Configuration only.
    profile: str = "embedded"
    # prod: Rasa servers on RASA_PORT, RASA_PORT+1, ...; action servers likewise.
    rasa_processes: int = 2
    action_processes: int = 2
    # prod: uvicorn worker processes of the service (all on SERVICE_PORT).
    service_workers: int = 2
    # prod: Rasa's tracker store, postgresql://user:password@host:port/database.
    tracker_url: str = ""
    # prod: Redis for Rasa's lock store and the socket.io manager, redis://host:port/db.
    redis_url: str = ""
    # prod: nginx's ports (80 and 443 for WeChat in a real deployment) and certificate;
    # without TLS_CERT/TLS_KEY a self-signed pair is made in TLS_DIR (for trying it only).
    nginx_http_port: int = 8080
    nginx_https_port: int = 8443
    tls_cert: str = ""
    tls_key: str = ""
    tls_dir: Path = PROJECT_ROOT / "var" / "tls"
    # prod: where nginx's config, pid, logs and temp files go; the interface it listens on.
    nginx_dir: Path = PROJECT_ROOT / "var" / "nginx"
    nginx_bind: str = "0.0.0.0"
    # --- WeChat official account (公众号) channel, bot/channels/wechat.py -------------------
    # Secrets: set them in the environment or .env, never in a committed file. Without
    # WECHAT_TOKEN the channel answers 503 to every request (the other channels still run).
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    # Safe mode (encrypt_type=aes): the current EncodingAESKey (43 characters) and, while
    # a key change propagates, the previous one (messages under either are accepted; replies
    # are encrypted with the current key).
    wechat_encoding_aes_key: str = ""
    wechat_previous_encoding_aes_key: str = ""
    # Base URL of WeChat's API (access token, customer-service messages); tests use a fake.
    wechat_api_base: str = "https://api.weixin.qq.com"
    # Seconds the bot may take to answer in the HTTP response (WeChat waits 5 s); a slower
    # answer is sent afterwards through the customer-service message API.
    wechat_passive_timeout_s: float = 4.0
    # Requests whose timestamp is further than this from now (either way) are refused.
    wechat_timestamp_window_s: float = 300
    # Seconds a user's numbered options (buttons) stay valid for a digit answer.
    wechat_options_ttl_s: float = 1800
    # --- end of the WeChat channel settings --------------------------------------------------

    class Config:  # noqa: D106 - pydantic's settings configuration
        env_file = str(PROJECT_ROOT / ".env")
        env_file_encoding = "utf-8"

    @property
    def service_url(self) -> str:
        """Base URL of the service (routing API), as the action server calls it."""
        return f"http://{self.host}:{self.service_port}"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server's HTTP API, as the service calls it."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def rasa_urls(self) -> list[str]:
        """Base URLs of every Rasa server (one, or RASA_PROCESSES in the prod profile)."""
        count = self.rasa_processes if self.profile == "prod" else 1
        return [f"http://{self.host}:{self.rasa_port + i}" for i in range(count)]

    @property
    def action_endpoint_url(self) -> str:
        """URL of the action server's webhook, as Rasa's endpoints.yml needs it."""
        return f"http://{self.host}:{self.action_port}/webhook"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
