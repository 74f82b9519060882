"""What every part of :class:`~bot.checkins.service.CheckinService` shares: its dependencies, its unit of
work (under the scheduler's ``plan_lock``, see ``bot/checkins/scheduler.py``), and finding the member's
pair and profile. Imports no discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins.queries import CheckinRepo
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.ports import SpacePort
from bot.db.base import utcnow
from bot.pairing import MemberProfile, Pair, PairRepo, PairStatus

NOT_PAIRED = "You're not paired right now; check-ins start once you have a partner (/peer request)."
NOT_YOURS = "That pairing isn't yours, so I can't change it."
NOT_JOINED = "You haven't joined the peer program yet: use /peer join to opt in."
LIMITS = {"objectives": 1000, "timeline": 200, "frequency": 32, "boundaries": 1000, "progress": 500, "note": 1000}


def check_length(field: str, value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > LIMITS[field]:
        raise InvalidInput(f"Please keep the {field} to {LIMITS[field]} characters or fewer.")
    return cleaned


class CheckinServiceBase:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SpacePort,
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[int], None] | None = None,
        plan_lock: asyncio.Lock | None = None,
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.clock = clock
        self.on_change = on_change
        # Shared with the scheduler's planning: SQLite reads outside a write transaction, so without it a
        # planning pass that read a schedule before this service changed it would write its stale result back.
        self.plan_lock = plan_lock or asyncio.Lock()

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[AsyncSession]:
        async with self.plan_lock, self.sessions.begin() as session:
            yield session

    def _changed(self, pair_id: int) -> None:
        if self.on_change is not None:
            self.on_change(pair_id)

    @staticmethod
    async def _member_pair(session: AsyncSession, guild_id: int, user_id: int, pair_id: int | None) -> Pair:
        if pair_id is not None:
            pair = await PairRepo(session).get(pair_id)
            if pair is None or pair.guild_id != guild_id or pair.status != PairStatus.ACTIVE:
                raise NotFound("That pairing has ended, so there's nothing to do here.")
            if user_id not in pair.user_ids:
                raise NotAllowed(NOT_YOURS)
            return pair
        pairs = [p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status == PairStatus.ACTIVE]
        if not pairs:
            raise NotFound(NOT_PAIRED)
        return pairs[0]

    @staticmethod
    async def _profile(session: AsyncSession, guild_id: int, user_id: int) -> MemberProfile:
        profile = await CheckinRepo(session).profile(guild_id, user_id)
        if profile is None or not profile.opted_in:
            raise NotFound(NOT_JOINED)
        return profile
