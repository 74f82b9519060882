"""End-to-end fixtures: the real bot, through discord.py, against the bundled sandbox server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.db.crypto import new_key
from bot.db.engine import create_session_factory
from bot.sandbox import InteractionResult, Sandbox
from bot.sandbox.local import LocalBot, start_local_bot
from bot.sandbox.timing import Latency
from tests.e2e.helpers import READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL

TOPICS = "writing, career change, coming out, music, veterans life"
# 20-50 ms with jitter on every REST call (issue 9): every handler acknowledges before its other calls
REALISTIC_LATENCY = True


@dataclass
class World:
    """A server with a moderator, a pair category, a hub and a log channel, and the bot running on it."""

    sb: Sandbox
    database_url: str
    guild: Any
    mod: Any
    category: Any
    hub: Any
    log: Any
    running: LocalBot | None = None
    members: dict[str, Any] = field(default_factory=dict)
    data_key: str = field(default_factory=new_key)  # a fresh key per test, kept across restarts
    clock: Callable[[], datetime] = utcnow

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        assert self.running is not None
        return create_session_factory(self.running.engine)

    async def start_bot(self) -> LocalBot:
        self.running = await start_local_bot(
            self.sb, self.database_url, (self.guild.id,), data_key=self.data_key, clock=self.clock
        )
        await self.sb.wait_for_commands(self.guild, timeout=10)
        return self.running

    async def restart_bot(self) -> LocalBot:
        assert self.running is not None
        await self.running.stop()
        return await self.start_bot()

    def member(self, name: str, **kw: Any) -> Any:
        if name not in self.members:
            self.members[name] = self.sb.add_member(self.guild, name, **kw)
        return self.members[name]

    async def run(self, who: Any, command: str, **options: Any) -> InteractionResult:
        result = await self.sb.invoke(self.guild, who, command, **options)
        await result.wait_done(timeout=10)
        return result

    async def join(self, who: Any, **options: Any) -> InteractionResult:
        defaults: dict[str, Any] = {"role": "peer", "timezone": "Europe/Berlin", "languages": "English"}
        defaults.update(options)
        return await self.run(who, "peer join", **defaults)

    async def setup(self, **options: Any) -> InteractionResult:
        defaults: dict[str, Any] = {
            "category": self.category,
            "hub": self.hub,
            "log_channel": self.log,
            "topics": TOPICS,
        }
        defaults.update(options)
        return await self.run(self.mod, "peeradmin setup", **defaults)

    async def rows(self, stmt: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.scalars(stmt)).all())

    async def one(self, model: Any, *where: Any) -> Any:
        found = await self.rows(select(model).where(*where))
        assert len(found) == 1, found
        return found[0]


def private_overwrites(sb: Sandbox, guild: Any, mod_role: Any) -> list[dict[str, int]]:
    """A moderators-only channel: hidden from @everyone, open to the moderator role and the bot."""
    view_send = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY
    return [
        {"id": guild.id, "type": 0, "allow": 0, "deny": VIEW_CHANNEL},
        {"id": mod_role.id, "type": 0, "allow": view_send, "deny": 0},
        {"id": sb.bot_user.id, "type": 1, "allow": view_send, "deny": 0},
    ]


W = TypeVar("W", bound="World")


@asynccontextmanager
async def running_world(tmp_path: Path, kind: type[W]) -> AsyncIterator[W]:
    """A server with a moderator role, a pair category, a hub and a private log channel, and the bot on it."""
    async with Sandbox(latency=Latency.realistic() if REALISTIC_LATENCY else None) as sb:
        guild = sb.add_guild("Rainbow Peers")
        mod_role = sb.add_role(guild, "Program Team", permissions=0)
        mod = sb.add_member(guild, "morgan-mod", roles=[mod_role])
        sb.set_role_permissions(guild, mod_role, 1 << 5)  # MANAGE_GUILD
        category = sb.add_category(guild, "Peer Spaces")
        hub = sb.add_text_channel(guild, "peer-hub")
        log = sb.add_text_channel(guild, "tandem-log", overwrites=private_overwrites(sb, guild, mod_role))
        w = kind(sb, f"sqlite+aiosqlite:///{tmp_path / 'tandem.db'}", guild, mod, category, hub, log)
        await w.start_bot()
        try:
            yield w
        finally:
            if w.running is not None:
                await w.running.stop()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w
