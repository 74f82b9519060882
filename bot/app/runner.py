"""Starting the bot for real: migrate, connect, run until stopped, clean up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

import discord

from bot.app.client import point_at
from bot.app.config import ConfigError, Settings
from bot.app.services import build_bot
from bot.db.engine import create_session_factory
from bot.db.keycheck import open_database

log = logging.getLogger(__name__)

STOP_DEADLINE = 20.0  # seconds a graceful stop may take before the process exits anyway


def _force_exit() -> None:
    """A stop must always end. Every commit is durable and deliveries are idempotent (the ledger and
    nonces), so leaving now is as safe as a crash, which Tandem is built to survive."""
    log.warning("stopping took longer than %.0f s; exiting now", STOP_DEADLINE)
    logging.shutdown()
    os._exit(0)


async def run_bot(settings: Settings) -> None:
    token = settings.require_token()
    engine = await open_database(settings.database_url, settings.keyring())  # wrong key: refused before any write
    try:
        point_at(settings.discord_api_base, settings.discord_gateway_url)
        bot = build_bot(settings, create_session_factory(engine))
        loop = asyncio.get_running_loop()

        def stop() -> None:
            bot.spawn_close()
            loop.call_later(STOP_DEADLINE, _force_exit)

        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):  # not available on Windows
                loop.add_signal_handler(signum, stop)
        async with bot:
            try:
                await bot.start(token.get())
            except discord.LoginFailure:
                raise ConfigError(
                    "DISCORD_TOKEN was refused: copy a fresh token from the Developer Portal's Bot page."
                ) from None
            except discord.PrivilegedIntentsRequired:
                raise ConfigError(
                    "Discord refused the Server Members intent: turn it on under Bot > Privileged Gateway "
                    "Intents in the Developer Portal."
                ) from None
    finally:
        await engine.dispose()
