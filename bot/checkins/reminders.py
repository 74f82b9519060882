"""Planning what is due: check-in prompts, 24-hour reminders, mentors' reminders, going quiet, goals.

Everything is derived from the tables and ``now``; planning records deliveries in the ledger (see
``bot/checkins/ledger.py``) and never sends. It is idempotent: run it twice, or in two processes,
and each delivery is still recorded once. After downtime it records one prompt for the latest
period, not one per missed period.

A pass over many pairs reads each table once for all of them (pairs, profiles, settings, goals, the
latest prompts, check-ins), decides for each pair in memory, and records every delivery in one
insert whose unique key still makes each delivery happen once (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import ledger
from bot.checkins.models import CheckinSchedule, Delivery, Goal
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
    goals: list[Goal] = field(default_factory=list)  # the members' open goals with a date
    new_due: datetime | None = None  # the latest due time, when it opens a new period
    prompts: list[datetime] = field(default_factory=list)  # the latest prompt times, newest first
    checkins: dict[int, list[datetime]] = field(default_factory=dict)  # by member, recent ones
    prompt: Delivery | None = None  # the prompt of the latest period (for the reminder)

    @property
    def default_minute(self) -> int:
        return self.settings.checkin_minute if self.settings else 18 * 60

    @property
    def quiet_after(self) -> int:
        return self.settings.quiet_after_missed if self.settings else 3

    def checkins_since(self, user_id: int, since: datetime) -> list[datetime]:
        return [at for at in self.checkins.get(user_id, []) if at >= since]


class Planner:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.repo = CheckinRepo(session)
        self.now = now
        self.rows: list[dict[str, Any]] = []  # deliveries to record, in the order they were decided

    async def ensure_schedules(self) -> None:
        """Every active pair gets a weekly schedule from its start, until its agreement says otherwise."""
        pairs = await self.repo.pairs_without_schedule()
        by_guild: dict[int, list[int]] = defaultdict(list)
        for pair in pairs:
            by_guild[pair.guild_id].extend(pair.user_ids)
        found = {g: await self.repo.profiles_in(g, users) for g, users in by_guild.items()}
        for pair in pairs:
            zones = [found[pair.guild_id][u].timezone for u in pair.user_ids if u in found[pair.guild_id]]
            zone = zones[0] if zones else DEFAULT_TZ
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
        """The pairs with their schedule, profiles, settings and goals: one query per table and server."""
        scheduled = await self.repo.scheduled_pairs(pair_ids)
        users: dict[int, set[int]] = defaultdict(set)
        for pair, _row in scheduled:
            users[pair.guild_id].update(pair.user_ids)
        settings = {g: await self.repo.settings(g) for g in users}
        profiles = {g: await self.repo.profiles_in(g, ids) for g, ids in users.items()}
        goals: dict[tuple[int, int], list[Goal]] = defaultdict(list)
        for g, ids in users.items():
            for goal in await self.repo.open_goals_with_dates(g, sorted(ids)):
                goals[(g, goal.user_id)].append(goal)
        out = []
        for pair, row in scheduled:
            found = profiles[pair.guild_id]
            ctx = PairContext(pair, row, [found[u] for u in pair.user_ids if u in found], settings[pair.guild_id])
            ctx.goals = [goal for u in pair.user_ids for goal in goals.get((pair.guild_id, u), [])]
            out.append(ctx)
        return out

    async def plan_pairs(self, contexts: Sequence[PairContext]) -> None:
        """Derive each pair's due times, read what the decisions need for all pairs at once, decide
        pair by pair in memory, then record the deliveries in one insert."""
        for ctx in contexts:
            schedule = schedule_of(ctx.row, ctx.profiles, ctx.default_minute)
            due = latest_due(schedule, self.now)
            ctx.row.next_due_at = next_due(schedule, self.now)
            if due is not None and (ctx.row.last_due_at is None or due > ctx.row.last_due_at):
                ctx.new_due = due
        await self._read_history(contexts)
        for ctx in contexts:
            self.plan_pair(ctx)
        await ledger.record_many(self.session, self.rows)
        self.rows = []

    def _reminder_due(self, ctx: PairContext) -> datetime | None:
        """The period whose reminder may be due now (the checks that need no reading)."""
        due = ctx.new_due or ctx.row.last_due_at
        if due is None or self.now < due + REMINDER_AFTER:
            return None
        if ctx.row.next_due_at is not None and self.now >= ctx.row.next_due_at:
            return None
        return due

    async def _read_history(self, contexts: Sequence[PairContext]) -> None:
        """The latest prompts of pairs starting a period, the prompt a reminder would follow, and the
        check-ins since the earliest of those times: one query each for all the pairs."""
        opening = [ctx for ctx in contexts if ctx.new_due is not None]
        if opening:
            limit = max(max(ctx.quiet_after, 2) for ctx in opening)
            latest = await ledger.latest_prompt_times(self.session, [ctx.pair.id for ctx in opening], limit)
            for ctx in opening:
                ctx.prompts = latest.get(ctx.pair.id, [])[: max(ctx.quiet_after, 2)]
        reminding = {ctx.pair.id: due for ctx in contexts if (due := self._reminder_due(ctx)) is not None}
        if reminding:
            found = await ledger.prompts_at(self.session, reminding)
            for ctx in contexts:
                ctx.prompt = found.get(ctx.pair.id)
        since = {ctx.pair.id: ctx.prompts[-1] for ctx in opening if ctx.prompts}
        for pair_id, due in reminding.items():
            since[pair_id] = min(due, since.get(pair_id, due))
        if since:
            times = await self.repo.checkin_times_of(list(since), min(since.values()))
            for ctx in contexts:
                ctx.checkins = times.get(ctx.pair.id, {})

    def plan_pair(self, ctx: PairContext) -> None:
        now, row, pair, due = self.now, ctx.row, ctx.pair, ctx.new_due
        if due is not None:
            self._close_period(ctx, due)
            skip = any(paused(p, now) for p in ctx.profiles) or pair.space_id is None
            self.rows.append(
                ledger.delivery_row(
                    guild_id=pair.guild_id,
                    pair_id=pair.id,
                    kind=DeliveryKind.CHECKIN,
                    due_at=due,
                    now=now,
                    channel_id=pair.space_id,
                    status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
                )
            )
            row.last_due_at = due
        self._reminders(ctx)
        self._mentor_notice(ctx)
        self._goals(ctx)

    def _close_period(self, ctx: PairContext, new_due: datetime) -> None:
        """A new period starts: who missed the ones before, and what that means (mentors, going quiet)."""
        prompts = ctx.prompts
        if not prompts:
            return
        for profile in ctx.profiles:
            if paused(profile, self.now):
                continue
            times = ctx.checkins_since(profile.user_id, prompts[-1])
            missed = consecutive_missed(prompts, new_due, times)
            others = [p for p in ctx.profiles if p.user_id != profile.user_id]
            if missed == 2 and profile.role == Role.MENTEE:
                for mentor in (p for p in others if p.role == Role.MENTOR):
                    self._dm(ctx, mentor, DeliveryKind.MENTOR_MISSED, new_due, subject_id=profile.user_id)
            if missed >= ctx.quiet_after:
                profile.checkins_paused_until = self.now + QUIET_PAUSE
                for other in others:
                    self._dm(ctx, other, DeliveryKind.QUIET, new_due, subject_id=profile.user_id, fallback=False)
                log.info("a member of pair %s went quiet after %d missed check-ins", ctx.pair.id, missed)

    def _dm(
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
        self.rows.append(
            ledger.delivery_row(
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
        )

    def _reminders(self, ctx: PairContext) -> None:
        """One reminder, 24 hours after a prompt went out, to each member who has not answered it."""
        due = self._reminder_due(ctx)
        if due is None:
            return
        prompt = ctx.prompt  # a period opened in this pass has none sent yet
        if prompt is None or prompt.status != DeliveryStatus.SENT or prompt.sent_at is None:
            return
        if self.now < prompt.sent_at + REMINDER_AFTER:  # a prompt sent late (catch-up) gets its full day
            return
        for profile in ctx.profiles:
            if paused(profile, self.now) or ctx.checkins_since(profile.user_id, due):
                continue
            self._dm(ctx, profile, DeliveryKind.REMINDER, due)

    def _mentor_notice(self, ctx: PairContext) -> None:
        """Mentors hear a day before a check-in with their mentee is due."""
        upcoming = ctx.row.next_due_at
        if upcoming is None or self.now < upcoming - MENTOR_NOTICE:
            return
        if any(paused(p, self.now) for p in ctx.profiles):
            return
        for mentor in (p for p in ctx.profiles if p.role == Role.MENTOR):
            self._dm(ctx, mentor, DeliveryKind.MENTOR_DUE, upcoming)

    def _goals(self, ctx: PairContext) -> None:
        """Before a goal's date, and once when it has passed: a reminder that invites adjusting it."""
        by_user = {p.user_id: p for p in ctx.profiles}
        for goal in ctx.goals:
            owner = by_user.get(goal.user_id)
            if owner is None or goal.due_date is None or paused(owner, self.now):
                continue
            zone = owner.timezone
            soon = local_instant(goal.due_date - timedelta(days=1), GOAL_REMINDER_MINUTE, zone)
            passed = local_instant(goal.due_date + timedelta(days=1), GOAL_REMINDER_MINUTE, zone)
            if self.now >= passed:
                self._dm(ctx, owner, DeliveryKind.GOAL_OVERDUE, passed, subject_id=goal.id)
            elif self.now >= soon and goal.created_at < soon:
                self._dm(ctx, owner, DeliveryKind.GOAL_SOON, soon, subject_id=goal.id)


async def plan(
    session: AsyncSession, now: datetime, pair_ids: Sequence[int] | None = None, *, new_pairs: bool = True
) -> None:
    """Plan the pairs among ``pair_ids`` (all active pairs when None); ``new_pairs``: first give every
    active pair without a schedule its weekly one."""
    planner = Planner(session, now.astimezone(UTC))
    if new_pairs:
        await planner.ensure_schedules()
    if pair_ids is None or pair_ids:
        await planner.plan_pairs(await planner.contexts(pair_ids))
