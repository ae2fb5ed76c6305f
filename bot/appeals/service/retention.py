"""Retention of appeals' personal data: clear the contacts of appeals closed long ago.

The appeal, its statistics and its event log stay; only the contact name and phone go, and
numbers typed into the description are masked. The purge itself is an event.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.appeals.masking import mask_text
from bot.appeals.service.models import Appeal
from bot.appeals.service.states import Status
from bot.appeals.service.store import StorePart
from bot.servicedb.db import transaction
from bot.servicedb.models import utc
from bot.wording import service_wording


class Retention(StorePart):
    """Purge the personal data of appeals past the retention period."""

    def purge_personal_data(self, older_than_days: int) -> list[str]:
        """Clear contact name and phone of appeals closed more than ``older_than_days`` ago.

        Numbers in the description (a phone or ID number typed there) are masked too. The
        appeal, its statistics and its event log stay; the purge itself is an event.
        """
        cutoff = self.store.clock() - timedelta(days=older_than_days)
        wording = service_wording()
        purged = []
        with transaction(self.store.factory) as session:
            query = select(Appeal).where(
                Appeal.status == Status.CLOSED.value, Appeal.phone.is_not(None)
            )
            for appeal in session.scalars(query):
                if appeal.closed_at is None or utc(appeal.closed_at) >= cutoff:
                    continue
                appeal.phone = None
                appeal.contact_name = wording.purged_value
                appeal.description = mask_text(appeal.description)
                status = Status(appeal.status)
                note = wording.note_purged.format(days=older_than_days)
                self.store.log(session, appeal, "system", "purge", status, status, note)
                purged.append(appeal.tracking_no)
        return purged
