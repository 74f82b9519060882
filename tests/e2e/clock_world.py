"""A World whose bot runs on a controllable clock, for check-ins and reminders (no sleeping for days)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db.checkin_models import Delivery
from bot.db.models import Pair
from bot.local import LocalBot, start_local_bot
from bot.sandbox import Sandbox
from tests.e2e.conftest import World, private_overwrites


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


@asynccontextmanager
async def clock_world(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    """Use as a fixture body: ``async with clock_world(tmp_path) as w: yield w``."""
    async with Sandbox() as sb:
        guild = sb.add_guild("Rainbow Peers")
        mod_role = sb.add_role(guild, "Program Team", permissions=0)
        mod = sb.add_member(guild, "morgan-mod", roles=[mod_role])
        sb.set_role_permissions(guild, mod_role, 1 << 5)  # MANAGE_GUILD
        category = sb.add_category(guild, "Peer Spaces")
        hub = sb.add_text_channel(guild, "peer-hub")
        log = sb.add_text_channel(guild, "tandem-log", overwrites=private_overwrites(sb, guild, mod_role))
        w = ClockWorld(sb, f"sqlite+aiosqlite:///{tmp_path / 'tandem.db'}", guild, mod, category, hub, log)
        await w.start_bot()
        try:
            yield w
        finally:
            if w.running is not None:
                await w.running.stop()
