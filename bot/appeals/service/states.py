"""The appeal state machine: which action moves an appeal from which status to which.

Article 11's closed loop is 受理 (received) → 分派 (triaged, dispatched) → 办理 (in progress)
→ 反馈 (replied) → closed; 督办 (supervised) is a flag set on an overdue appeal, which the
supervision job also escalates to 区经委. Anything not listed here is refused (HTTP 409).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    """Where an appeal stands."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"


OPEN = frozenset(
    {
        Status.RECEIVED,
        Status.TRIAGED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.REOPENED,
        Status.ESCALATED,
    }
)

# the enterprise rates a reply
RATEABLE = frozenset({Status.REPLIED, Status.CLOSED})

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    # 区经委 confirms or changes the proposed lead department.
    "triage": (
        frozenset({Status.RECEIVED, Status.REOPENED, Status.ESCALATED}),
        Status.TRIAGED,
    ),
    "dispatch": (frozenset({Status.TRIAGED}), Status.DISPATCHED),
    # the lead department (主办部门) takes it on
    "accept": (frozenset({Status.DISPATCHED}), Status.IN_PROGRESS),
    "reply": (frozenset({Status.IN_PROGRESS}), Status.REPLIED),
    "close": (frozenset({Status.REPLIED}), Status.CLOSED),
    # 区经委 review, or a rating of 1-2
    "reopen": (frozenset({Status.REPLIED, Status.CLOSED}), Status.REOPENED),
    # overdue (supervision job), or a town handing an offline appeal up to 区经委
    "escalate": (OPEN - {Status.ESCALATED}, Status.ESCALATED),
}


@dataclass(frozen=True)
class IllegalTransition(Exception):
    """An action that the appeal's current status does not allow."""

    action: str
    status: Status

    def __str__(self) -> str:
        """Say what was refused."""
        sources = TRANSITIONS[self.action][0] if self.action in TRANSITIONS else RATEABLE
        allowed = ", ".join(sorted(s.value for s in sources))
        return (
            f"cannot {self.action} an appeal that is {self.status.value} (allowed from: {allowed})"
        )


def next_status(action: str, current: Status) -> Status:
    """Return the status ``action`` leads to from ``current``, or raise IllegalTransition."""
    if action not in TRANSITIONS:
        raise KeyError(f"unknown action {action!r}")
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise IllegalTransition(action, current)
    return target
