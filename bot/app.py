"""The service process: FastAPI app factory (routing API, pages and health)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from bot.appeals.service.api import build_router, register_error_handlers
from bot.appeals.service.backend import open_backend
from bot.appeals.service.supervisor import SupervisionJob
from bot.console.api import STATIC as CONSOLE_STATIC
from bot.console.api import NoStoreStaffApi
from bot.console.api import build_router as build_console_router
from bot.handoff import api as handoff_api
from bot.handoff.job import HandoffTimeoutJob
from bot.handoff.notices import load_notices
from bot.handoff.rasa_api import RasaClient
from bot.handoff.service import HandoffService
from bot.limits.rate import RateLimiter
from bot.limits.service import InputLimits
from bot.periodic import PeriodicJob
from bot.settings import Settings, get_settings
from bot.web.pages import STATIC, VENDOR, render_index


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service app; tests pass their own settings."""
    settings = settings or get_settings()
    settings.check_secrets()
    backend = open_backend(settings.database_url, run_migrations=settings.auto_migrate)
    handoffs = HandoffService(
        backend.appeals.factory,
        RasaClient(settings.rasa_urls, settings.rasa_auth_token),
        load_notices(),
        backend.appeals.clock,
        settings.handoff_timeout_s,
        {d.code: d.name for d in backend.appeals.rules.departments},
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        jobs: list[PeriodicJob] = []
        if settings.supervise_interval_s > 0:
            jobs.append(
                SupervisionJob(
                    backend.appeals,
                    settings.supervise_interval_s,
                    retention_days=settings.personal_data_retention_days,
                )
            )
        if settings.handoff_check_interval_s > 0:
            jobs.append(HandoffTimeoutJob(handoffs, settings.handoff_check_interval_s))
        for job in jobs:
            job.start()
        yield
        for job in jobs:
            job.stop()
        backend.engine.dispose()

    app = FastAPI(title="嘉定企业服务助手 service", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.appeals = backend.appeals
    app.state.tokens = backend.tokens
    app.state.handoffs = handoffs
    app.include_router(build_router())
    register_error_handlers(app)
    app.include_router(handoff_api.build_router())
    handoff_api.register_error_handlers(app)
    app.include_router(build_console_router())  # /console and its /api/staff routes
    app.add_middleware(NoStoreStaffApi)
    app.add_middleware(
        InputLimits,
        max_body_bytes=settings.max_body_bytes,
        limiter=RateLimiter.from_settings(settings),
    )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness of the service process."""
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        """Serve the web chat page."""
        return render_index(settings.widget_socket_url, settings.rasa_port)

    # The widget (one <script> tag for partner sites) and its pinned front-end dependency.
    app.mount("/static/vendor", StaticFiles(directory=VENDOR, check_dir=False), name="vendor")
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    return app
