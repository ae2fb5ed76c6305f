from __future__ import annotations

import pytest

from bot.appeals.service.states import OPEN, TRANSITIONS, IllegalTransition, Status, next_status


def test_the_closed_loop_of_article_11() -> None:
    status = Status.RECEIVED
    for action in ("triage", "dispatch", "accept", "reply", "close"):
        status = next_status(action, status)
    assert status is Status.CLOSED
    assert next_status("reopen", status) is Status.REOPENED
    assert next_status("triage", Status.REOPENED) is Status.TRIAGED


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_pair_is_either_allowed_or_refused(action: str, status: Status) -> None:
    sources, target = TRANSITIONS[action]
    if status in sources:
        assert next_status(action, status) is target
    else:
        with pytest.raises(IllegalTransition, match=f"cannot {action}"):
            next_status(action, status)


def test_closed_and_replied_are_not_open_and_cannot_be_escalated() -> None:
    assert Status.CLOSED not in OPEN and Status.REPLIED not in OPEN
    with pytest.raises(IllegalTransition):
        next_status("escalate", Status.CLOSED)
    with pytest.raises(KeyError):
        next_status("delete", Status.RECEIVED)
