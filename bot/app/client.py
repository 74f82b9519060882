"""The bot: discord.py wiring, extension discovery, command sync and start-up reconciliation."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import pkgutil
from collections.abc import Coroutine, Iterator
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord.ext import commands

from bot.app.config import Settings
from bot.app.logging_setup import install_redaction
from bot.discord.tree import TandemTree

if TYPE_CHECKING:
    from bot.app.services import Services

log = logging.getLogger(__name__)

EXTENSIONS = "cogs"  # the package whose modules with a ``setup`` are the bot's extensions


def point_at(api_base: str, gateway_url: str) -> None:
    """Send REST and the gateway to Discord, the sandbox, or a self-hosted compatible server."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def find_extensions() -> Iterator[str]:
    """Every module in ``cogs`` that defines ``setup``: adding a cog needs no list to edit."""
    package = importlib.import_module(EXTENSIONS)
    for module in pkgutil.walk_packages(package.__path__, prefix=f"{EXTENSIONS}."):
        if not module.ispkg and hasattr(importlib.import_module(module.name), "setup"):
            yield module.name


def intents() -> discord.Intents:
    """Guilds (channels, threads) and members (the privileged intent: leaving ends a pair)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    return wanted


class TandemBot(commands.Bot):
    """discord.py wiring around services built by :func:`bot.app.services.build_services`."""

    def __init__(self, settings: Settings, services: Services, *, guild_ready_timeout: float = 2.0) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=TandemTree,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            max_messages=None,
        )
        install_redaction()  # logs never carry payloads, whoever configured logging
        self.settings = settings
        self.services = services
        services.adapter.bind(self)
        # what cogs (and tests) reach through the bot
        self.adapter = services.adapter
        self.spaces = services.adapter.spaces
        self.worker = services.worker
        self.audit = services.audit
        self.profiles = services.profiles  # settings, setup, join, profile, status
        self.rounds = services.rounds  # request, match rounds, pairing by hand, the moderators' list
        self.endings = services.endings  # end, unpair, leave, a member leaving the server, deleting a profile
        self.reconciler = services.reconciler
        self.privacy = services.privacy
        self.safety = services.safety
        self.access = services.access
        self.retention = services.retention
        self.stats = services.stats
        self.timers = services.timers
        self.access_expiry = services.access_expiry
        self.retention_sweep = services.retention_sweep
        self.pacer = services.pacer
        self.dispatcher = services.dispatcher
        self.scheduler = services.scheduler
        self.checkins = services.checkins
        self.goals = services.goals
        self.reconciled = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        for name in find_extensions():
            await self.load_extension(name)  # each registers its own commands and dynamic items
        await self.sync_commands()
        self.spawn(self._reconcile_when_ready())

    async def sync_commands(self) -> None:
        if self.settings.dev_guild_ids:
            for guild_id in self.settings.dev_guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
            log.info("commands synced to %d development guild(s)", len(self.settings.dev_guild_ids))
        else:
            await self.tree.sync()
            log.info("commands synced globally (Discord may take a while to show them)")

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def _reconcile_when_ready(self) -> None:
        await self.wait_until_ready()
        # the caches just filled (every server's channels and members) live as long as the bot: frozen,
        # a full garbage collection no longer walks them, which paused the event loop for 100 ms and more
        gc.freeze()
        try:
            rolled_back = await self.reconciler.reconcile()
        except Exception:  # the timers (check-ins, access expiry, retention) never wait on this
            log.exception("rolling back half-made pairs at start failed; the next start tries again")
        else:
            if rolled_back:
                log.warning("rolled back %d pair(s) left half-made by an interrupted run", rolled_back)
        await self.timers.start()  # every job's first pass: catch up on what came due while down
        self.reconciled.set()

    def spawn_close(self) -> None:
        """Close from a signal handler: log out, close the gateway, let ``start`` return."""
        log.info("stopping on request")
        task = asyncio.get_running_loop().create_task(self.close())
        self._closing = task

    async def close(self) -> None:
        await self.timers.aclose()
        for task in list(self._tasks):
            task.cancel()
        self.worker.shutdown()
        await super().close()
