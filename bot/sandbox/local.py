"""Running the real, unmodified bot against a local sandbox: shared by the demo and the e2e tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.client import TandemBot, point_at
from bot.app.config import SecretStr, Settings
from bot.app.services import build_bot
from bot.db.base import utcnow
from bot.db.crypto import new_key
from bot.db.engine import create_session_factory
from bot.db.keycheck import open_database
from bot.sandbox import Sandbox


class Endpoint(Protocol):
    """Where a sandbox listens: a :class:`Sandbox`, or the details of one in another process."""

    @property
    def bot_token(self) -> str: ...
    @property
    def api_base(self) -> str: ...
    @property
    def gateway_url(self) -> str: ...


@dataclass
class LocalBot:
    bot: TandemBot
    engine: AsyncEngine
    task: asyncio.Task[None]

    async def stop(self) -> None:
        await self.bot.close()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.engine.dispose()


async def start_local_bot(
    sandbox: Sandbox | Endpoint,
    database_url: str,
    guild_ids: tuple[int, ...],
    *,
    clock: Callable[[], datetime] = utcnow,
    timeout: float = 20.0,
    data_key: str | None = None,
    sweep_seconds: float = 60.0,
    pace_per_second: float = 46.0,
) -> LocalBot:
    """Migrate the database, connect the bot to the sandbox, and wait until it is fully ready.

    ``data_key`` encrypts members' text; without one a throwaway key is made (the data is then lost
    with the process, which is what the demo wants)."""
    key = SecretStr(data_key or new_key())
    settings = Settings(
        discord_token=SecretStr(sandbox.bot_token),
        database_url=database_url,
        discord_api_base=sandbox.api_base,
        discord_gateway_url=sandbox.gateway_url,
        dev_guild_ids=guild_ids,
        data_key=key,
        checkin_sweep_seconds=sweep_seconds,
        pace_per_second=pace_per_second,
    )
    engine = await open_database(database_url, settings.keyring())
    point_at(settings.discord_api_base, settings.discord_gateway_url)
    bot = build_bot(settings, create_session_factory(engine), guild_ready_timeout=0.2, clock=clock)
    await bot.login(sandbox.bot_token)
    task = asyncio.create_task(bot.connect(reconnect=True))
    ready = asyncio.create_task(bot.reconciled.wait())
    done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        running = LocalBot(bot, engine, task)
        if task in done:
            await running.stop()
            task.result()
        await running.stop()
        raise TimeoutError("the bot did not become ready against the sandbox")
    return LocalBot(bot, engine, task)
