"""The action server: rasa-sdk's app with three guards, started by `make run` and the tests.

- Only Rasa may call it: every request but ``/health`` carries ``X-Action-Token`` (the
  ``ACTION_SERVER_TOKEN`` shared with Rasa through endpoints.yml), compared in constant time.
- A custom action that raises answers 500 with its name only. rasa-sdk's own handler puts the
  whole request — the tracker, with every message and slot — into the reply, which Rasa then
  logs; here the log has the action's name, the exception's type and the frames, no text.
- No CORS (rasa-sdk allows ``*`` by default): browsers never call it.

Before it serves, it loads the knowledge base (so a broken KB fails loudly and the first
question is not slow) and resumes deliveries an earlier run left in the outbox; importing the
actions does neither.

Run as ``python -m actions.server --host H --port P``.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import traceback
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.appeal_form import resume_pending_deliveries
from bot.kb.holder import KB
from bot.settings import get_settings

logger = logging.getLogger(__name__)
TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


def _action_name(request: Request) -> str:
    try:
        body = request.json if isinstance(request.json, dict) else {}
    except Exception:  # unreadable JSON: the name is unknown
        body = {}
    return str(body.get("next_action") or "?")[:100]


async def start_background_work(_app: Sanic, _loop: Any) -> None:
    """Load the KB and resume queued deliveries before the first request (not on import)."""
    KB.get()
    resume_pending_deliveries()


def create_app(token: str) -> Sanic:
    """Build rasa-sdk's app for ``actions/`` with the token check and the quiet error reply."""
    app: Sanic = create_sdk_app("actions", cors_origins=[])

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = str(request.headers.get(TOKEN_HEADER, ""))
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            logger.warning("action server: request without the right %s refused", TOKEN_HEADER)
            return response.json({"error": "unauthorised"}, status=401)
        return None

    async def quiet_error(request: Request, exception: Exception) -> HTTPResponse:
        name = _action_name(request)
        frames = "".join(traceback.format_tb(exception.__traceback__))
        logger.error("custom action %s failed (%s)\n%s", name, type(exception).__name__, frames)
        return response.json({"error": "custom action failed", "action_name": name}, status=500)

    app.error_handler.add(Exception, quiet_error)
    app.before_server_start(start_background_work)
    return app


def main(argv: list[str] | None = None) -> int:
    """Start the action server (one worker) on ``--host``:``--port``."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.action_port)
    args = parser.parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(settings.log_level)
    utils.update_sanic_log_level()
    try:
        settings.check_secrets(required=("action_server_token",))
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    app = create_app(settings.action_server_token)
    logger.info("action server on http://%s:%s", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
