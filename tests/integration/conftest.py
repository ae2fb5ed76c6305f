"""Start the real service, action server and Rasa server on free ports for a test session."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from playwright.sync_api import Browser, sync_playwright

from bot.appeals.service.backend import open_backend
from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.stack import Stack, StackError, free_port
from tests.support.fake_wechat import FakeWeChatAPI

REPLY_TIMEOUT_S = 60
HANDOFF_TIMEOUT_S = 20


WECHAT_TOKEN = "integration-wechat-token"


@contextmanager
def running_stack(settings: Settings, log_dir: Path) -> Iterator[Stack]:
    """Start a stack and wait until it answers; fail the test with its logs if it cannot."""
    running = Stack(settings, log_dir=log_dir)
    try:
        running.start()
        running.wait_ready()
    except StackError as exc:
        running.stop()
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(log_dir.glob("*.log"))
        )
        pytest.fail(f"stack ({settings.profile} profile) did not start: {exc}\n{logs}")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[FakeWeChatAPI]:
    """A local fake of WeChat's API; the stack's WeChat channel sends to it."""
    with FakeWeChatAPI().running() as fake:
        yield fake


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, wechat_api: FakeWeChatAPI) -> Iterator[Stack]:
    """Start the three processes with a fresh tracker database; stop them afterwards."""
    tmp = tmp_path_factory.mktemp("stack")
    base = get_settings()
    settings = Settings(
        rasa_auth_token="integration-" + free_port().__str__(),
        internal_token="internal-" + free_port().__str__(),
        action_server_token="actions-" + free_port().__str__(),
        # Short enough for a test to watch a handoff expire, long enough for one to be taken.
        handoff_timeout_s=HANDOFF_TIMEOUT_S,
        handoff_check_interval_s=1,
        model_path=base.model_path,
        tracker_db=tmp / "tracker.db",
        database_url=f"sqlite:///{tmp / 'appeals.db'}",
        outbox_path=tmp / "outbox.db",
        rasa_port=free_port(),
        action_port=free_port(),
        service_port=free_port(),
        wechat_token=WECHAT_TOKEN,
        wechat_app_id=wechat_api.app_id,
        wechat_app_secret=wechat_api.app_secret,
        wechat_api_base=wechat_api.base_url,
    )
    if not settings.model_path.exists():
        pytest.fail(f"no trained model at {settings.model_path}: run the tests with `make test`")
    with running_stack(settings, tmp / "logs") as running:
        yield running


@pytest.fixture(scope="session")
def responses() -> dict[str, list[dict[str, Any]]]:
    """Return the domain's responses, to compare replies with what the domain says."""
    domain = yaml.safe_load(Path(PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return dict(domain["responses"])


@pytest.fixture
def say(stack: Stack) -> Callable[[str, str], list[dict[str, Any]]]:
    """Send one message over the REST channel and return the bot's messages."""
    url = stack.url("Rasa server") + "/webhooks/rest/webhook"

    def _say(sender: str, text: str) -> list[dict[str, Any]]:
        reply = requests.post(
            url, json={"sender": sender, "message": text}, timeout=REPLY_TIMEOUT_S
        )
        assert reply.status_code == 200, reply.text
        return list(reply.json())

    return _say


@pytest.fixture(scope="session")
def issue_staff_token(stack: Stack) -> Callable[[str, str], str]:
    """Issue staff tokens (department, label) in the stack's appeal database."""

    def _issue(department: str, label: str) -> str:
        backend = open_backend(stack.settings.database_url, run_migrations=False)
        try:
            return backend.tokens.create(department, label)
        finally:
            backend.engine.dispose()

    return _issue


@pytest.fixture
def staff_token(issue_staff_token: Callable[[str, str], str]) -> str:
    """A 区经委 token for the console tests."""
    return issue_staff_token("qjw", "console-test")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()
