"""The composition root: every service is built here and handed its dependencies.

:func:`build_services` makes the Discord adapter (not yet bound to a client), the matching worker and
each feature's services in dependency order; :func:`build_bot` makes the bot around them. To add a
service: a field on :class:`Services`, one construction line in :func:`build_services`, and (if cogs
use it) one attribute in :class:`bot.app.client.TandemBot`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.client import TandemBot
from bot.app.config import Settings
from bot.app.worker import MatchingWorker
from bot.audit import AuditAnchor, AuditLog, CheckpointKey
from bot.checkins import data as checkin_data
from bot.checkins import wording as checkin_wording
from bot.checkins.dispatcher import Dispatcher
from bot.checkins.goals import GoalService
from bot.checkins.pacing import Pacer
from bot.checkins.scheduler import CheckinScheduler
from bot.checkins.service import CheckinService
from bot.core.timers import Timer, Timers
from bot.db.base import utcnow
from bot.discord.adapter import DiscordAdapter
from bot.pairing import GuildLocks, GuildSettings
from bot.pairing.assembly import build_pairing
from bot.pairing.ending_service import EndingService
from bot.pairing.profile_service import ProfileService
from bot.pairing.reconcile import STALE_AFTER, Reconciler
from bot.pairing.round_service import RoundService
from bot.safety.access import AccessService
from bot.safety.privacy import MemberData, PrivacyService
from bot.safety.reminders import OpenCaseReminders
from bot.safety.retention import RetentionService
from bot.safety.service import SafetyService
from bot.safety.stats import StatsService

Clock = Callable[[], datetime]


def checkpoint_key(settings: Settings) -> CheckpointKey | None:
    """The audit checkpoints' MAC key, derived from the data key (None without one: no checkpoints)."""
    if settings.data_key is None:
        return None
    return CheckpointKey(settings.data_key.get(), [k.get() for k in settings.old_data_keys])


def _log_channels(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], Awaitable[list[tuple[int, int]]]]:
    async def channels() -> list[tuple[int, int]]:
        async with sessions() as session:
            stmt = select(GuildSettings.guild_id, GuildSettings.log_channel_id)
            return [(g, c) for g, c in (await session.execute(stmt)).all() if c is not None]

    return channels


@dataclass(frozen=True)
class Services:
    adapter: DiscordAdapter
    worker: MatchingWorker
    audit: AuditLog
    profiles: ProfileService
    rounds: RoundService
    endings: EndingService
    reconciler: Reconciler
    privacy: PrivacyService
    safety: SafetyService
    access: AccessService
    retention: RetentionService
    stats: StatsService
    timers: Timers
    access_expiry: Timer
    retention_sweep: Timer
    departed_sweep: Timer
    pacer: Pacer
    dispatcher: Dispatcher
    scheduler: CheckinScheduler
    checkins: CheckinService
    goals: GoalService


def build_services(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], *, clock: Clock = utcnow
) -> Services:
    adapter = DiscordAdapter()
    spaces = adapter.spaces
    worker = MatchingWorker()
    key = checkpoint_key(settings)
    audit = AuditLog(sessions, clock=clock, key=key)
    locks = GuildLocks()  # pairing's reservation step, and the other features' writes it reads
    pairing = build_pairing(
        sessions,
        spaces,
        audit,
        clock=clock,
        runner=worker.run_round,
        offload=worker.search,
        welcome_notes=[checkin_wording.welcome_agreement_hint()],  # the welcome points at the agreement button
        locks=locks,
    )
    access = AccessService(sessions, spaces, audit, clock=clock)
    adapter.messages.log_guard.moderator_role_of = pairing.profiles.moderator_role  # checked before each log post
    # check-ins and goals join data export/erasure, retention and statistics through constructor arguments
    checkins_data = MemberData("checkins_and_goals", checkin_data.export, checkin_data.erase, checkin_data.holds)
    retention = RetentionService(sessions, spaces, audit, clock=clock, erasers=[checkin_data.erase_pair])
    # one scheduler for everything timed; every job derived from its table, first once the gateway is
    # ready (a grant is never marked ended blind), then after every change
    timers = Timers(clock)
    access_expiry = timers.register("tandem:access-expiry", access.expire_due, max_delay=60)
    retention_sweep = timers.register("tandem:retention-sweep", retention.sweep, max_delay=3600)
    # every erasure (a member's, a moderator's, a departed member's) goes through this one service
    privacy = PrivacyService(sessions, pairing.endings, audit, member_data=[checkins_data], locks=locks, clock=clock)
    departed_sweep = timers.register("tandem:departed-erasure", privacy.sweep_departed, max_delay=3600)
    privacy.on_change = departed_sweep.changed
    # pending pairs stranded by a cancelled or unverifiable opening are rolled back, not only at start
    timers.register("tandem:pairing-reconcile", pairing.reconciler.sweep, max_delay=STALE_AFTER.total_seconds())
    if key is not None:  # the audit chain's daily checkpoint, posted to every log channel
        anchor = AuditAnchor(sessions, key, clock, _log_channels(sessions), spaces.tell_moderators)
        timers.register("tandem:audit-checkpoint", anchor.daily, max_delay=3600)
    timers.register(
        "tandem:open-cases", OpenCaseReminders(sessions, spaces.tell_moderators, clock).remind, max_delay=3600
    )
    access.on_change = access_expiry.changed
    retention.on_change = retention_sweep.changed
    # check-ins and goals: the tables drive the scheduler; deliveries are paced bot-wide
    pacer = Pacer(settings.pace_per_second)
    dispatcher = Dispatcher(sessions, adapter.deliveries, pacer, clock=clock)
    scheduler = CheckinScheduler(sessions, dispatcher, timers, clock, settings.checkin_sweep_seconds)
    return Services(
        adapter=adapter,
        worker=worker,
        audit=audit,
        profiles=pairing.profiles,
        rounds=pairing.rounds,
        endings=pairing.endings,
        reconciler=pairing.reconciler,
        privacy=privacy,
        safety=SafetyService(sessions, spaces, pairing.endings, audit, clock=clock, locks=locks),
        access=access,
        retention=retention,
        stats=StatsService(sessions, audit, clock=clock, sources=[checkin_data.program_numbers]),
        timers=timers,
        access_expiry=access_expiry,
        retention_sweep=retention_sweep,
        departed_sweep=departed_sweep,
        pacer=pacer,
        dispatcher=dispatcher,
        scheduler=scheduler,
        checkins=CheckinService(
            sessions, spaces, audit=audit, clock=clock, on_change=scheduler.changed, plan_lock=scheduler.plan_lock
        ),
        goals=GoalService(sessions, spaces, clock=clock, on_change=scheduler.changed),
    )


def build_bot(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    clock: Clock = utcnow,
    guild_ready_timeout: float = 2.0,
) -> TandemBot:
    """The bot with every service built, its adapter bound to it."""
    return TandemBot(settings, build_services(settings, sessions, clock=clock), guild_ready_timeout=guild_ready_timeout)
