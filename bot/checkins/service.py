"""Pair agreements, check-ins, holidays, daytime hours, the going-quiet choice, pair health and the
server's check-in settings: one service, each responsibility in its own module.

Imports no discord. Anything that changes when a pair is prompted calls ``on_change`` so the check-in job
re-derives its next run from the tables (``bot/checkins/scheduler.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditLog
from bot.checkins.agreements import AgreementCommands
from bot.checkins.availability import AvailabilityCommands
from bot.checkins.check_in import CheckinCommands
from bot.checkins.moderators import ModeratorCommands
from bot.core.ports import SpacePort
from bot.db.base import utcnow


class CheckinService(AgreementCommands, CheckinCommands, AvailabilityCommands, ModeratorCommands):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SpacePort,
        *,
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[int], None] | None = None,
        plan_lock: asyncio.Lock | None = None,
    ) -> None:
        super().__init__(sessions, spaces, clock=clock, on_change=on_change, plan_lock=plan_lock)
        self.audit = audit
