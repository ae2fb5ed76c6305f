"""The whole schema of the service database: every feature's tables on the one shared base.

Each feature declares its tables beside its code; importing them here registers them on
``Base.metadata``, which is what Alembic's environment and whole-database tools (a restore
that drops the application's tables, a check that the migrations build the models) need.
"""

from __future__ import annotations

import bot.appeals.service.models
import bot.handoff.models
from bot.servicedb.models import Base

FEATURE_MODELS = (bot.appeals.service.models, bot.handoff.models)

__all__ = ["FEATURE_MODELS", "Base"]
