"""A World whose bot runs on a controllable clock, for check-ins and reminders (no sleeping for days)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.checkins.models import Delivery
from bot.pairing.models import Pair
from bot.sandbox.local import LocalBot, start_local_bot
from tests.e2e.conftest import World, running_world


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        self.now = moment


@dataclass
class ClockWorld(World):
    clock: Clock = field(default_factory=Clock)

    async def start_bot(self) -> LocalBot:
        # the sweep is left to the tests (tick), so that each step is deterministic
        self.running = await start_local_bot(
            self.sb,
            self.database_url,
            (self.guild.id,),
            data_key=self.data_key,
            clock=self.clock,
            sweep_seconds=3600,
        )
        await self.sb.wait_for_commands(self.guild, timeout=10)
        return self.running

    async def tick(self) -> int:
        assert self.running is not None
        return await self.running.bot.scheduler.tick()

    async def pair(self, a: str = "alice", b: str = "bob", **joins: dict[str, Any]) -> tuple[Any, Any, Pair]:
        await self.setup()
        first, second = self.member(a), self.member(b)
        await self.join(first, **joins.get(a, {}))
        await self.join(second, **joins.get(b, {"timezone": "Europe/London"}))
        await self.run(first, "peer request")
        await self.run(second, "peer request")
        pair = await self.one(Pair, Pair.status == "active")
        return first, second, pair

    async def deliveries(self, kind: str | None = None) -> list[Delivery]:
        stmt = select(Delivery).order_by(Delivery.id)
        if kind is not None:
            stmt = stmt.where(Delivery.kind == kind)
        return await self.rows(stmt)

    def prompts_in(self, channel_id: int) -> list[Any]:
        return [m for m in self.sb.messages_in(channel_id) if "Check-in time" in m.content]


def clock_world(tmp_path: Path) -> AbstractAsyncContextManager[ClockWorld]:
    """Use as a fixture body: ``async with clock_world(tmp_path) as w: yield w``."""
    return running_world(tmp_path, ClockWorld)
