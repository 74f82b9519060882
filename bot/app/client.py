"""The bot: discord.py wiring, extension discovery, command sync and start-up reconciliation."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

import discord
import yarl
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import cogs
from bot import matching
from bot.app.config import Settings
from bot.app.logging_setup import install_redaction
from bot.app.timed_jobs import TimedJob
from bot.checkins import data as checkin_data
from bot.checkins.dispatcher import Dispatcher
from bot.checkins.goals import GoalService
from bot.checkins.pacing import Pacer
from bot.checkins.scheduler import CheckinScheduler
from bot.checkins.service import CheckinService
from bot.db.base import utcnow
from bot.discord.outbox import DiscordOutbox
from bot.discord.spaces import DiscordSpaces
from bot.discord.tree import TandemTree
from bot.pairing.assembly import build_pairing
from bot.safety.access import AccessService
from bot.safety.audit import AuditLog
from bot.safety.privacy import PrivacyService
from bot.safety.retention import RetentionService
from bot.safety.service import SafetyService
from bot.safety.stats import StatsService
from cogs.checkins.views import DYNAMIC_ITEMS
from cogs.pairing.views import RematchButton, rematch_view
from cogs.pairing.welcome import welcome_view
from cogs.safety.views import ReportButton

log = logging.getLogger(__name__)


def point_at(api_base: str, gateway_url: str) -> None:
    """Send REST and the gateway to Discord, the sandbox, or a self-hosted compatible server."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def find_extensions() -> Iterator[str]:
    """Every module in ``cogs`` that defines ``setup``: adding a cog needs no list to edit."""
    for module in pkgutil.walk_packages(cogs.__path__, prefix=f"{cogs.__name__}."):
        if not module.ispkg and hasattr(importlib.import_module(module.name), "setup"):
            yield module.name


def intents() -> discord.Intents:
    """Guilds (channels, threads) and members (the privileged intent: leaving ends a pair)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    return wanted


class TandemBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        guild_ready_timeout: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
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
        checkin_data.register()  # check-ins and goals join data export/deletion, retention and statistics
        self.settings = settings
        self.spaces = DiscordSpaces(self, rematch_view=rematch_view, welcome_view=welcome_view)
        self._executor: ProcessPoolExecutor | None = None
        self.audit = AuditLog(sessions, clock=clock)
        pairing = build_pairing(
            sessions, self.spaces, self.audit, clock=clock, runner=self._run_round, offload=self._search_in_worker
        )
        self.profiles = pairing.profiles  # settings, setup, join, profile, status
        self.rounds = pairing.rounds  # request, match rounds, pairing by hand, the moderators' list
        self.endings = pairing.endings  # end, unpair, leave, a member leaving the server, deleting a profile
        self.reconciler = pairing.reconciler
        self.privacy = PrivacyService(sessions, self.endings)
        self.safety = SafetyService(sessions, self.spaces, self.endings, self.audit, clock=clock)
        self.access = AccessService(sessions, self.spaces, self.audit, clock=clock)
        self.retention = RetentionService(sessions, self.spaces, self.audit, clock=clock)
        self.stats = StatsService(sessions, clock=clock)
        # rebuilt from their tables once the gateway is ready (a grant is never marked ended blind)
        self.access_expiry = TimedJob("access-expiry", self.access.expire_due, clock)
        self.retention_sweep = TimedJob("retention-sweep", self.retention.sweep, clock, max_sleep=3600)
        self.access.on_change = self.access_expiry.wake
        self.retention.on_change = self.retention_sweep.wake
        # check-ins and goals (issue 4): the tables drive the scheduler; deliveries are paced bot-wide
        self.pacer = Pacer(settings.pace_per_second)
        self.dispatcher = Dispatcher(sessions, DiscordOutbox(self), self.pacer, clock=clock)
        self.scheduler = CheckinScheduler(sessions, self.dispatcher, clock, settings.checkin_sweep_seconds)
        self.checkins = CheckinService(
            sessions, self.spaces, clock=clock, on_change=self.scheduler.changed, plan_lock=self.scheduler.plan_lock
        )
        self.goals = GoalService(sessions, self.spaces, clock=clock, on_change=self.scheduler.changed)
        self.reconciled = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        for name in find_extensions():
            await self.load_extension(name)
        self.add_dynamic_items(RematchButton, ReportButton, *DYNAMIC_ITEMS)
        await self.sync_commands()
        await self.scheduler.start()
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
        rolled_back = await self.reconciler.reconcile()
        if rolled_back:
            log.warning("rolled back %d pair(s) left half-made by an interrupted run", rolled_back)
        self.access_expiry.start()
        self.retention_sweep.start()
        try:
            sent = await self.scheduler.tick()  # catch up: prompts due while down, deliveries left unsent
        except Exception:
            log.exception("catching up on check-ins at start failed; the sweep will try again")
        else:
            if sent:
                log.info("caught up on %d prompt(s) and reminder(s) at start", sent)
        self.reconciled.set()

    def _worker(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = matching.make_executor(max_workers=1)
        return self._executor

    async def _run_round(self, inp: matching.RoundInput) -> matching.RoundResult:
        """A matching round runs in a worker process, so the gateway heartbeat never waits on it."""
        return await matching.run_round_in_worker(inp, self._worker())

    async def _search_in_worker(self, search: Callable[[], matching.PartnerSuggestion]) -> matching.PartnerSuggestion:
        return await asyncio.get_running_loop().run_in_executor(self._worker(), search)

    async def _finish_event_handlers(self, timeout: float = 5.0) -> None:
        """Let event handlers already running (an audit entry being written, say) finish their unit of work."""
        current = asyncio.current_task()
        running = [
            t
            for t in asyncio.all_tasks()
            if t is not current and not t.done() and t.get_name().startswith("discord.py: on_")
        ]
        if running:
            await asyncio.wait(running, timeout=timeout)

    def spawn_close(self) -> None:
        """Close from a signal handler: log out, close the gateway, let ``start`` return."""
        log.info("stopping on request")
        task = asyncio.get_running_loop().create_task(self.close())
        self._closing = task

    async def close(self) -> None:
        await self._finish_event_handlers()
        await self.access_expiry.stop()
        await self.retention_sweep.stop()
        await self.scheduler.aclose()
        for task in list(self._tasks):
            task.cancel()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        await super().close()
        # a command that finished just before the gateway closed may have queued its handlers (the
        # audit entry) after the first wait: let those finish too, before the caller disposes the engine
        await self._finish_event_handlers()
