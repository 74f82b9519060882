"""What the pairing services share: the session factory, the clock, the guild locks, and the pairs
this process is opening.

A guild's lock covers only short database work (checks and the reservation of ``pending`` pair
rows), never a Discord call. A pair being opened is tracked in :class:`Openings`, so that ending or
leaving waits for that one pair to settle instead of for the whole server.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow


class GuildLocks:
    """One lock per server, for the reservation step and other short database work, never a Discord call.

    Shared (through the composition root) with the other features that write what a reservation checks:
    safety's moderator blocks and the moderators' erasure. Lock order: a guild's lock, then the audit lock.
    """

    def __init__(self) -> None:
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def __call__(self, guild_id: int) -> asyncio.Lock:
        return self._locks[guild_id]


class Openings:
    """Pairs reserved by this process whose space is being opened: pair id -> set when it settles.

    Each opening brings its own event to :meth:`begin` and hands it to :meth:`settle`: an opening only
    ever settles itself, never a later one that reuses its pair id (SQLite may hand out the id of a
    deleted row again)."""

    def __init__(self) -> None:
        self._events: dict[int, asyncio.Event] = {}

    def begin(self, pair_id: int, event: asyncio.Event) -> None:
        if pair_id in self._events:
            raise RuntimeError(f"pair {pair_id} is already being opened")
        self._events[pair_id] = event

    def settle(self, pair_id: int, event: asyncio.Event) -> None:
        if self._events.get(pair_id) is event:
            del self._events[pair_id]
        event.set()

    def among(self, pair_ids: Iterable[int]) -> list[int]:
        return [pair_id for pair_id in pair_ids if pair_id in self._events]

    async def wait(self, pair_ids: Iterable[int]) -> None:
        events = [self._events[p] for p in pair_ids if p in self._events]
        for event in events:
            await event.wait()


@dataclass(eq=False)
class Shared:
    sessions: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime] = utcnow
    locks: GuildLocks = field(default_factory=GuildLocks)
    openings: Openings = field(default_factory=Openings)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on an exception."""
        async with self.sessions.begin() as session:
            yield session
