"""Statistics per department: how many appeals, how many replied on time, average rating."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.appeals.service.models import Appeal
from bot.appeals.service.store import StorePart
from bot.servicedb.models import utc


class Statistics(StorePart):
    """Figures of the appeals, per department that holds any."""

    def per_department(self) -> list[dict[str, Any]]:
        """Per department: count, on-time rate of replied appeals, average rating."""
        with self.store.factory() as session:
            rows = list(session.scalars(select(Appeal)))
        result = []
        for dept in self.store.rules.departments:
            mine = [a for a in rows if (a.lead_department or a.proposed_department) == dept.code]
            if not mine:
                continue
            replied = [a for a in mine if a.replied_at is not None]
            on_time = [a for a in replied if utc(a.replied_at) <= utc(a.due_at)]
            rated = [a.rating for a in mine if a.rating is not None]
            result.append(
                {
                    "department": dept.name,
                    "code": dept.code,
                    "count": len(mine),
                    "replied": len(replied),
                    "on_time_rate": round(len(on_time) / len(replied), 3) if replied else None,
                    "average_rating": round(sum(rated) / len(rated), 2) if rated else None,
                }
            )
        return result
