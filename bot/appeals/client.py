"""The action server's one HTTP client of the service (appeals, status, rating, handoffs).

Every call has a timeout and ends in one of four typed outcomes, so callers branch on kinds
instead of status codes and error bodies:

- :class:`Answer`: the service did it (2xx with a JSON object);
- :class:`Rejected`: the service refused the request as it stands (4xx); its
  :class:`FieldProblem` list is FastAPI's 422 ``detail`` as data;
- :class:`NotFound`: 404 (an unknown number and a wrong phone pair look alike);
- :class:`Unavailable`: no usable answer (connection error, timeout, 5xx, 408/425/429).

Only safe requests are retried, a bounded number of times: the status lookup (GET) and
``POST /api/appeals``, whose ``Idempotency-Key`` makes the service return the appeal it
stored the first time. A rating or a handoff is sent once.

Texts in outcomes are for logs: long digit runs are masked and request bodies never appear.
Nothing here is user-facing wording; the actions map kinds to domain.yml responses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeAlias
from urllib.parse import quote

import requests

from bot.appeals.masking import mask_numbers
from bot.settings import Settings, get_settings

APPEALS_PATH = "/api/appeals"
HANDOFFS_PATH = "/api/handoffs"
#: 4xx answers that mean "try again later" rather than "this request is wrong".
TRANSIENT_CLIENT_ERRORS = frozenset({408, 425, 429})
MAX_ERROR_CHARS = 500
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_RETRY_DELAY_S = 0.2


@dataclass(frozen=True)
class FieldProblem:
    """One problem the service found, e.g. ``("body", "phone")`` and its message."""

    location: tuple[str, ...]
    message: str
    code: str = ""

    @property
    def field(self) -> str | None:
        """Return the field's name (the last part of the location), if any."""
        return self.location[-1] if self.location else None


@dataclass(frozen=True)
class Answer:
    """The service did what was asked; ``body`` is its JSON object."""

    status_code: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Rejected:
    """The service refused the request (4xx); sending it again unchanged cannot help."""

    status_code: int
    problems: tuple[FieldProblem, ...] = ()

    @property
    def messages(self) -> list[str]:
        """Return the problems' messages (the service's wording), in order."""
        return [p.message for p in self.problems if p.message]

    @property
    def error(self) -> str:
        """Return a short, log-safe description: the code and where each problem is."""
        parts = [f"{'.'.join(p.location)}: {p.message}".strip(": ") for p in self.problems]
        return mask_numbers(f"HTTP {self.status_code}: {'; '.join(parts)}")[:MAX_ERROR_CHARS]


@dataclass(frozen=True)
class NotFound:
    """The service knows no such thing (404)."""

    status_code: int = 404


@dataclass(frozen=True)
class Unavailable:
    """No usable answer; ``status_code`` is None when the service did not answer at all."""

    reason: str
    status_code: int | None = None

    @property
    def answered(self) -> bool:
        """Return whether the service answered (5xx, 429 …) rather than not at all."""
        return self.status_code is not None


Outcome: TypeAlias = Answer | Rejected | NotFound | Unavailable


def problems_of(detail: Any) -> tuple[FieldProblem, ...]:
    """Return FastAPI's ``detail`` (a list of errors, or one text) as field problems."""
    if detail is None or detail == "":
        return ()
    if not isinstance(detail, list):
        return (FieldProblem((), str(detail)),)
    found = []
    for item in detail:
        if isinstance(item, Mapping):
            loc = item.get("loc")
            location = tuple(str(p) for p in loc) if isinstance(loc, list) else ()
            # Leave out "input"/"ctx": they may echo the submitted values.
            found.append(
                FieldProblem(location, str(item.get("msg") or ""), str(item.get("type") or ""))
            )
        else:
            found.append(FieldProblem((), str(item)))
    return tuple(found)


def _detail(answer: requests.Response) -> Any:
    try:
        payload = answer.json()
    except ValueError:
        return answer.text[:MAX_ERROR_CHARS]
    return payload.get("detail", payload) if isinstance(payload, dict) else payload


def classify(answer: requests.Response) -> Outcome:
    """Return the outcome an HTTP answer of the service stands for."""
    code = answer.status_code
    if 200 <= code < 300:
        try:
            payload = answer.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            return Answer(code, payload)
        return Unavailable(f"HTTP {code} without a JSON object", code)
    if code == 404:
        return NotFound()
    if 400 <= code < 500 and code not in TRANSIENT_CLIENT_ERRORS:
        return Rejected(code, problems_of(_detail(answer)))
    return Unavailable(f"HTTP {code}", code)


@dataclass(frozen=True)
class ServiceClient:
    """Call the service at ``base_url``; one instance may be shared by threads.

    ``retries`` extra attempts (after ``retry_delay_s``, doubling) follow an
    :class:`Unavailable` outcome of a request that is safe to repeat.
    """

    base_url: str
    internal_token: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S
    handoff_timeout_s: float = 2 * DEFAULT_TIMEOUT_S
    retries: int = 1
    retry_delay_s: float = DEFAULT_RETRY_DELAY_S
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceClient:
        """Return the client the settings describe (URL, internal token, timeouts)."""
        return cls(
            base_url=settings.service_url,
            internal_token=settings.internal_token,
            timeout_s=settings.service_timeout_s,
            handoff_timeout_s=settings.handoff_open_timeout_s,
            retries=max(0, settings.service_retries),
        )

    # -- the service's endpoints ----------------------------------------------------------

    def file_appeal(
        self, key: str, body: Mapping[str, Any], *, retries: int | None = None
    ) -> Outcome:
        """POST an appeal under its ``Idempotency-Key``; an Answer always has a tracking_no.

        A 2xx without a tracking number is :class:`Unavailable`: the appeal is not known
        to be stored, and sending it again under the same key is safe.
        """
        return self._call(
            "POST",
            APPEALS_PATH,
            retries=self.retries if retries is None else retries,
            required="tracking_no",
            json=dict(body),
            headers={"Idempotency-Key": key},
        )

    def appeal_status(self, tracking_no: str, phone_last4: str) -> Outcome:
        """GET an appeal's public status and timeline (retried: reading is safe)."""
        return self._call(
            "GET",
            f"{APPEALS_PATH}/{quote(tracking_no, safe='')}",
            retries=self.retries,
            params={"phone_last4": phone_last4},
        )

    def rate_appeal(self, tracking_no: str, phone_last4: str, score: int, comment: str) -> Outcome:
        """POST the enterprise's rating of the reply (sent once: a rating is not idempotent)."""
        return self._call(
            "POST",
            f"{APPEALS_PATH}/{quote(tracking_no, safe='')}/rating",
            json={"phone_last4": phone_last4, "score": score, "comment": comment},
        )

    def open_handoff(self, sender_id: str, channel: str, reason: str) -> Outcome:
        """POST a handoff for a conversation with the internal token (sent once).

        The Answer's body says ``created`` (False: one was open already) and ``timeout_s``.
        """
        return self._call(
            "POST",
            HANDOFFS_PATH,
            timeout_s=self.handoff_timeout_s,
            json={"sender_id": sender_id, "channel": channel, "reason": reason},
            headers={"Authorization": f"Bearer {self.internal_token}"},
        )

    # -- transport --------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        retries: int = 0,
        timeout_s: float | None = None,
        required: str | None = None,
        **kwargs: Any,
    ) -> Outcome:
        """Send the request, repeating it up to ``retries`` times while Unavailable.

        An Answer whose body lacks the text field ``required`` counts as Unavailable.
        """
        wait_s = timeout_s or self.timeout_s
        outcome = self._once(method, path, wait_s, required, kwargs)
        for attempt in range(max(0, retries)):
            if not isinstance(outcome, Unavailable):
                break
            self.sleep(self.retry_delay_s * 2**attempt)
            outcome = self._once(method, path, wait_s, required, kwargs)
        return outcome

    def _once(
        self,
        method: str,
        path: str,
        timeout_s: float,
        required: str | None,
        kwargs: dict[str, Any],
    ) -> Outcome:
        url = self.base_url.rstrip("/") + path
        try:
            answer = requests.request(method, url, timeout=timeout_s, **kwargs)
        except requests.Timeout:
            return Unavailable(f"timeout after {timeout_s:g} s")
        except requests.RequestException as exc:
            # str(exc) names the URL and the socket error, never the body.
            return Unavailable(mask_numbers(f"{type(exc).__name__}: {exc}")[:MAX_ERROR_CHARS])
        outcome = classify(answer)
        if required is None or not isinstance(outcome, Answer):
            return outcome
        if isinstance(outcome.body.get(required), str):
            return outcome
        code = outcome.status_code
        return Unavailable(f"HTTP {code} without a {required}", code)


@cache
def service_client() -> ServiceClient:
    """Return the process's client, as the settings describe it."""
    return ServiceClient.from_settings(get_settings())
