"""Supervision (督办): flag overdue open appeals and escalate them to 区经委.

One pass changes only appeals not yet supervised, inside one transaction, so several
service processes may each run it (bot.appeals.service.supervisor runs it periodically).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.appeals.service.models import Appeal
from bot.appeals.service.states import OPEN, Status, next_status
from bot.appeals.service.store import StorePart
from bot.servicedb.db import transaction
from bot.wording import service_wording


class Supervision(StorePart):
    """Find overdue appeals and put them under 区经委's supervision."""

    def supervise(self) -> list[str]:
        """Flag overdue open appeals as supervised (督办) and escalate them to 区经委."""
        store = self.store
        now = store.clock()
        note = service_wording().note_overdue
        flagged = []
        with transaction(store.factory) as session:
            query = select(Appeal).where(
                Appeal.status.in_([s.value for s in OPEN]), Appeal.supervised.is_(False)
            )
            for appeal in session.scalars(query):
                if not store.is_overdue(appeal, now):
                    continue
                before = Status(appeal.status)
                appeal.supervised = True
                if before is not Status.ESCALATED:
                    after = next_status("escalate", before)
                    appeal.status = after.value
                    store.log(session, appeal, "system", "supervise", before, after, note)
                else:
                    store.log(session, appeal, "system", "supervise", before, before, note)
                flagged.append(appeal.tracking_no)
        return flagged
