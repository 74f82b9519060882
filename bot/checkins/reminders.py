"""Planning what is due: check-in prompts, 24-hour reminders, mentors' reminders, going quiet, goals.

Everything is derived from the tables and ``now``; planning records deliveries in the ledger (see
``bot/checkins/ledger.py``) and never sends. It is idempotent: run it twice, or in two processes,
and each delivery is still recorded once. After downtime it records one prompt for the latest
period, not one per missed period.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import ledger
from bot.checkins.models import CheckinSchedule
from bot.checkins.queries import CheckinRepo
from bot.checkins.schedule import Daytime, Schedule, latest_due, local_instant, next_due
from bot.checkins.states import DeliveryKind, DeliveryStatus, Frequency, Via
from bot.pairing import GuildSettings, MemberProfile, Pair, Role

log = logging.getLogger(__name__)

REMINDER_AFTER = timedelta(hours=24)
MENTOR_NOTICE = timedelta(hours=24)
QUIET_PAUSE = timedelta(days=28)
GOAL_REMINDER_MINUTE = 10 * 60  # 10:00 in the member's timezone
DEFAULT_TZ = "UTC"


def schedule_of(row: CheckinSchedule, profiles: Sequence[MemberProfile], default_minute: int) -> Schedule:
    zones = [p.timezone for p in profiles] or [DEFAULT_TZ]
    return Schedule(
        frequency=row.frequency,
        anchor=row.anchor,
        reference_tz=zones[0],
        members=tuple(Daytime(p.timezone, p.day_start, p.day_end) for p in profiles),
        default_minute=default_minute,
        weekday=row.weekday,
    )


def first_anchor(start: datetime, timezone: str) -> datetime:
    """A new pair's first check-in comes a week after it starts (a date in the first member's zone)."""
    return start.astimezone(ZoneInfo(timezone)) + timedelta(days=7)


def paused(profile: MemberProfile, now: datetime) -> bool:
    return profile.checkins_paused_until is not None and profile.checkins_paused_until > now


def consecutive_missed(period_starts: Sequence[datetime], period_end: datetime, checkins: Sequence[datetime]) -> int:
    """How many of the latest periods, counting back from the most recent, had no check-in.

    ``period_starts`` are prompt times, newest first; period i runs from ``period_starts[i]`` to the
    next newer one (``period_end`` for the newest)."""
    missed = 0
    end = period_end
    for start in period_starts:
        if any(start <= c < end for c in checkins):
            break
        missed += 1
        end = start
    return missed


@dataclass
class PairContext:
    pair: Pair
    row: CheckinSchedule
    profiles: list[MemberProfile]  # in the pair's member order
    settings: GuildSettings | None

    @property
    def default_minute(self) -> int:
        return self.settings.checkin_minute if self.settings else 18 * 60

    @property
    def quiet_after(self) -> int:
        return self.settings.quiet_after_missed if self.settings else 3


class Planner:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.repo = CheckinRepo(session)
        self.now = now

    async def ensure_schedules(self) -> None:
        """Every active pair gets a weekly schedule from its start, until its agreement says otherwise."""
        for pair in await self.repo.pairs_without_schedule():
            profiles = await self.repo.profiles_of(pair)
            zone = profiles[0].timezone if profiles else DEFAULT_TZ
            start = pair.started_at or self.now
            self.repo.add(
                CheckinSchedule(
                    pair_id=pair.id,
                    guild_id=pair.guild_id,
                    frequency=Frequency.WEEKLY,
                    anchor=first_anchor(start, zone).date(),
                )
            )
        await self.session.flush()

    async def contexts(self, pair_ids: Sequence[int] | None = None) -> list[PairContext]:
        out = []
        settings_cache: dict[int, GuildSettings | None] = {}
        for pair, row in await self.repo.scheduled_pairs(pair_ids):
            if pair.guild_id not in settings_cache:
                settings_cache[pair.guild_id] = await self.repo.settings(pair.guild_id)
            out.append(PairContext(pair, row, await self.repo.profiles_of(pair), settings_cache[pair.guild_id]))
        return out

    async def plan_pair(self, ctx: PairContext) -> None:
        now, row, pair = self.now, ctx.row, ctx.pair
        schedule = schedule_of(row, ctx.profiles, ctx.default_minute)
        due = latest_due(schedule, now)
        row.next_due_at = next_due(schedule, now)
        if due is not None and (row.last_due_at is None or due > row.last_due_at):
            await self._close_period(ctx, due)
            skip = any(paused(p, now) for p in ctx.profiles) or pair.space_id is None
            await ledger.record(
                self.session,
                guild_id=pair.guild_id,
                pair_id=pair.id,
                kind=DeliveryKind.CHECKIN,
                due_at=due,
                now=now,
                channel_id=pair.space_id,
                status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
            )
            row.last_due_at = due
        await self._reminders(ctx)
        await self._mentor_notice(ctx)
        await self._goals(ctx)

    async def _close_period(self, ctx: PairContext, new_due: datetime) -> None:
        """A new period starts: who missed the ones before, and what that means (mentors, going quiet)."""
        prompts = await ledger.prompt_times(self.session, ctx.pair.id, max(ctx.quiet_after, 2))
        if not prompts:
            return
        for profile in ctx.profiles:
            if paused(profile, self.now):
                continue
            times = await self.repo.checkin_times(ctx.pair.id, profile.user_id, prompts[-1])
            missed = consecutive_missed(prompts, new_due, times)
            others = [p for p in ctx.profiles if p.user_id != profile.user_id]
            if missed == 2 and profile.role == Role.MENTEE:
                for mentor in (p for p in others if p.role == Role.MENTOR):
                    await self._dm(ctx, mentor, DeliveryKind.MENTOR_MISSED, new_due, subject_id=profile.user_id)
            if missed >= ctx.quiet_after:
                profile.checkins_paused_until = self.now + QUIET_PAUSE
                for other in others:
                    await self._dm(ctx, other, DeliveryKind.QUIET, new_due, subject_id=profile.user_id, fallback=False)
                log.info("a member of pair %s went quiet after %d missed check-ins", ctx.pair.id, missed)

    async def _dm(
        self,
        ctx: PairContext,
        profile: MemberProfile,
        kind: DeliveryKind,
        due: datetime,
        *,
        subject_id: int = 0,
        fallback: bool = True,
    ) -> None:
        """A delivery to one member: by DM to the channel stored at opt-in, or in the pair space with a
        mention of that member only when their DMs are closed."""
        if profile.dm_channel_id is not None and not profile.dms_closed:
            via, channel, mention = Via.DM, profile.dm_channel_id, None
        elif fallback and ctx.pair.space_id is not None:
            via, channel, mention = Via.SPACE, ctx.pair.space_id, profile.user_id
        else:
            via, channel, mention = Via.DM, None, None  # opened on sending, or failed if DMs are closed
        await ledger.record(
            self.session,
            guild_id=ctx.pair.guild_id,
            pair_id=ctx.pair.id,
            kind=kind,
            due_at=due,
            now=self.now,
            via=via,
            channel_id=channel,
            user_id=profile.user_id,
            subject_id=subject_id,
            mention_user_id=mention,
        )

    async def _reminders(self, ctx: PairContext) -> None:
        """One reminder, 24 hours after a prompt went out, to each member who has not answered it."""
        due = ctx.row.last_due_at
        if due is None or self.now < due + REMINDER_AFTER:
            return
        if ctx.row.next_due_at is not None and self.now >= ctx.row.next_due_at:
            return
        prompt = await ledger.exists(self.session, ctx.pair.id, DeliveryKind.CHECKIN, due)
        if prompt is None or prompt.status != DeliveryStatus.SENT or prompt.sent_at is None:
            return
        if self.now < prompt.sent_at + REMINDER_AFTER:  # a prompt sent late (catch-up) gets its full day
            return
        for profile in ctx.profiles:
            if paused(profile, self.now) or await self.repo.checkin_times(ctx.pair.id, profile.user_id, due):
                continue
            await self._dm(ctx, profile, DeliveryKind.REMINDER, due)

    async def _mentor_notice(self, ctx: PairContext) -> None:
        """Mentors hear a day before a check-in with their mentee is due."""
        upcoming = ctx.row.next_due_at
        if upcoming is None or self.now < upcoming - MENTOR_NOTICE:
            return
        if any(paused(p, self.now) for p in ctx.profiles):
            return
        for mentor in (p for p in ctx.profiles if p.role == Role.MENTOR):
            await self._dm(ctx, mentor, DeliveryKind.MENTOR_DUE, upcoming)

    async def _goals(self, ctx: PairContext) -> None:
        """Before a goal's date, and once when it has passed: a reminder that invites adjusting it."""
        by_user = {p.user_id: p for p in ctx.profiles}
        for goal in await self.repo.open_goals_with_dates(ctx.pair.guild_id, ctx.pair.user_ids):
            owner = by_user.get(goal.user_id)
            if owner is None or goal.due_date is None or paused(owner, self.now):
                continue
            zone = owner.timezone
            soon = local_instant(goal.due_date - timedelta(days=1), GOAL_REMINDER_MINUTE, zone)
            passed = local_instant(goal.due_date + timedelta(days=1), GOAL_REMINDER_MINUTE, zone)
            if self.now >= passed:
                await self._dm(ctx, owner, DeliveryKind.GOAL_OVERDUE, passed, subject_id=goal.id)
            elif self.now >= soon and goal.created_at < soon:
                await self._dm(ctx, owner, DeliveryKind.GOAL_SOON, soon, subject_id=goal.id)


async def plan(session: AsyncSession, now: datetime, pair_ids: Sequence[int] | None = None) -> None:
    planner = Planner(session, now.astimezone(UTC))
    await planner.ensure_schedules()
    for ctx in await planner.contexts(pair_ids):
        await planner.plan_pair(ctx)
