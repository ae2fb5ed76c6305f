"""The service's client of Rasa's HTTP API: read a conversation, append events to it.

Only the service holds the Rasa API token. Appending with ``execute_side_effects`` makes Rasa
send the appended ``bot`` events through the conversation's latest input channel (the
widget's socket.io session or the WeChat customer-service API), so an agent's reply and the
handoff notices reach the user and are kept in the tracker like any bot message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import requests

TIMEOUT_S = 10.0


class RasaUnavailable(Exception):
    """Rasa could not be reached or refused the call."""


class RasaClient:
    """A small synchronous client (the service's routes run in a thread pool).

    With several Rasa servers (the prod profile) it tries them in turn: any of them can
    serve any conversation (shared tracker store and lock store), so one that cannot be
    reached is skipped. A call that reached a server and failed is not repeated.
    """

    def __init__(
        self, base_urls: str | Sequence[str], token: str, timeout_s: float = TIMEOUT_S
    ) -> None:
        """Keep the base URL(s) and the API token."""
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        self.base_urls = [url.rstrip("/") for url in urls]
        self.token = token
        self.timeout_s = timeout_s
        self._session = requests.Session()

    @staticmethod
    def _path(sender_id: str, tail: str) -> str:
        return f"/conversations/{quote(sender_id, safe='')}/{tail}"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        params = {"token": self.token, **kwargs.pop("params", {})}
        failure = "no Rasa server configured"
        for base in self.base_urls:
            try:
                reply = self._session.request(
                    method, base + path, params=params, timeout=self.timeout_s, **kwargs
                )
            except requests.ConnectionError as exc:
                failure = type(exc).__name__
                continue  # not reached: the next server can serve this conversation
            except requests.RequestException as exc:
                raise RasaUnavailable(type(exc).__name__) from exc
            if reply.status_code >= 400:
                raise RasaUnavailable(f"HTTP {reply.status_code}")
            return reply.json()
        raise RasaUnavailable(failure)

    def events(self, sender_id: str) -> list[dict[str, Any]]:
        """Return the conversation's events since its last restart."""
        tracker = self._call("GET", self._path(sender_id, "tracker"))
        return list(tracker.get("events") or []) if isinstance(tracker, dict) else []

    def append(self, sender_id: str, events: Sequence[dict[str, Any]]) -> None:
        """Append ``events``; their bot messages are sent to the user's latest channel."""
        self._call(
            "POST",
            self._path(sender_id, "tracker/events"),
            params={
                "output_channel": "latest",
                "execute_side_effects": "true",
                "include_events": "NONE",
            },
            json=list(events),
        )
