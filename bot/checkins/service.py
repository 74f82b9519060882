"""Pair agreements, check-ins, holidays, daytime hours, the going-quiet choice and pair health.

Imports no discord. Anything that changes when a pair is prompted calls ``on_change`` so the scheduler
re-derives that pair's job from the tables.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import wording as words
from bot.checkins.models import CheckIn, CheckinSchedule, Delivery, Goal, GoalUpdate, PairAgreement
from bot.checkins.reminders import QUIET_PAUSE, first_anchor, schedule_of
from bot.checkins.schedule import describe, next_due, parse_frequency
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.ports import SpacePort
from bot.db.base import utcnow
from bot.pairing.models import GuildSettings, MemberProfile, Pair
from bot.pairing.queries import PairRepo, ProfileRepo, SettingsRepo

log = logging.getLogger(__name__)

NOT_PAIRED = "You're not paired right now; check-ins start once you have a partner (/peer request)."
NOT_YOURS = "That pairing isn't yours, so I can't change it."
LIMITS = {"objectives": 1000, "timeline": 200, "frequency": 32, "boundaries": 1000, "progress": 500, "note": 1000}
YES = ("yes", "y", "share", "true", "1")
NO = ("", "no", "n", "private", "false", "0")
INACTIVE_AFTER = timedelta(days=30)
OVERDUE_AFTER = timedelta(days=2)
MAX_PAUSE = timedelta(days=180)


@dataclass(frozen=True)
class AgreementView:
    pair_id: int
    objectives: str
    timeline: str
    frequency: str
    boundaries: str


@dataclass(frozen=True)
class AgreementSaved:
    pair_id: int
    schedule_text: str
    next_due: datetime


@dataclass(frozen=True)
class CheckinSaved:
    pair_id: int
    shared: bool


@dataclass(frozen=True)
class History:
    moods: tuple[tuple[datetime, int], ...]
    progress: tuple[tuple[datetime, float], ...]  # mean goal percentage after each update


def _check_length(field: str, value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > LIMITS[field]:
        raise InvalidInput(f"Please keep the {field} to {LIMITS[field]} characters or fewer.")
    return cleaned


def parse_mood(raw: str) -> int:
    cleaned = raw.strip()
    if cleaned not in {"1", "2", "3", "4", "5"}:
        raise InvalidInput("Please rate how you are with a whole number from 1 (very low) to 5 (great).")
    return int(cleaned)


def parse_yes_no(raw: str) -> bool:
    cleaned = raw.strip().casefold()
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise InvalidInput('Please answer "yes" or "no" to sharing your note with your partner.')


class CheckinService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SpacePort,
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[int], None] | None = None,
        plan_lock: asyncio.Lock | None = None,
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.clock = clock
        self.on_change = on_change
        # Shared with the scheduler's planning: SQLite reads outside a write transaction, so without it a
        # planning pass that read a schedule before this service changed it would write its stale result back.
        self.plan_lock = plan_lock or asyncio.Lock()

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[AsyncSession]:
        async with self.plan_lock, self.sessions.begin() as session:
            yield session

    def _changed(self, pair_id: int) -> None:
        if self.on_change is not None:
            self.on_change(pair_id)

    async def _member_pair(self, session: AsyncSession, guild_id: int, user_id: int, pair_id: int | None) -> Pair:
        if pair_id is not None:
            pair = await PairRepo(session).get(pair_id)
            if pair is None or pair.guild_id != guild_id or pair.status != "active":
                raise NotFound("That pairing has ended, so there's nothing to do here.")
            if user_id not in pair.user_ids:
                raise NotAllowed(NOT_YOURS)
            return pair
        pairs = [p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status == "active"]
        if not pairs:
            raise NotFound(NOT_PAIRED)
        return pairs[0]

    # ----- the pair agreement ----------------------------------------------------------------

    async def agreement(self, guild_id: int, user_id: int, pair_id: int | None = None) -> AgreementView:
        async with self._unit() as session:
            pair = await self._member_pair(session, guild_id, user_id, pair_id)
            found = (await session.scalars(select(PairAgreement).where(PairAgreement.pair_id == pair.id))).one_or_none()
            if found is None:
                return AgreementView(pair.id, "", "", "weekly", "")
            return AgreementView(pair.id, found.objectives, found.timeline, found.frequency_text, found.boundaries)

    async def save_agreement(
        self,
        guild_id: int,
        user_id: int,
        pair_id: int,
        *,
        objectives: str,
        timeline: str,
        frequency: str,
        boundaries: str,
    ) -> AgreementSaved:
        """Either member records or revises the agreement; its frequency sets the check-in schedule."""
        fields = {
            "objectives": _check_length("objectives", objectives),
            "timeline": _check_length("timeline", timeline),
            "frequency": _check_length("frequency", frequency),
            "boundaries": _check_length("boundaries", boundaries),
        }
        try:
            kind, weekday = parse_frequency(fields["frequency"])
        except ValueError:
            raise InvalidInput(
                'For how often to check in, write "weekly", "every 2 weeks", "monthly", or a day like "Thursday".'
            ) from None
        now = self.clock()
        async with self._unit() as session:
            pair = await self._member_pair(session, guild_id, user_id, pair_id)
            agreement = (
                await session.scalars(select(PairAgreement).where(PairAgreement.pair_id == pair.id))
            ).one_or_none()
            if agreement is None:
                agreement = PairAgreement(pair_id=pair.id, updated_by=user_id)
                session.add(agreement)
            agreement.objectives, agreement.timeline = fields["objectives"], fields["timeline"]
            agreement.frequency_text, agreement.boundaries = fields["frequency"] or "weekly", fields["boundaries"]
            agreement.updated_by = user_id
            profiles = await self._profiles(session, pair)
            zone = profiles[0].timezone if profiles else "UTC"
            row = (
                await session.scalars(select(CheckinSchedule).where(CheckinSchedule.pair_id == pair.id))
            ).one_or_none()
            if row is None:
                row = CheckinSchedule(pair_id=pair.id, guild_id=guild_id)
                session.add(row)
            previous = (row.frequency, row.weekday)
            if row.anchor is None or previous != (kind, weekday):
                row.frequency, row.weekday = kind, weekday
                # the first check-in of the new rhythm comes one period from now (a weekday: its next one)
                start = now.astimezone(ZoneInfo(zone)).date()
                row.anchor = start + timedelta(days=1) if kind == "weekday" else first_anchor(now, zone).date()
                if kind == "biweekly":
                    row.anchor = start + timedelta(days=14)
                elif kind == "monthly":
                    row.anchor = start + timedelta(days=30)
            settings = await session.get(GuildSettings, guild_id)
            schedule = schedule_of(row, profiles, settings.checkin_minute if settings else 18 * 60)
            row.next_due_at = next_due(schedule, now)
            saved = AgreementSaved(pair.id, describe(kind, weekday), row.next_due_at)
            space_id = pair.space_id
        self._changed(pair.id)
        if space_id is not None:
            try:
                await self.spaces.post_in_space(
                    guild_id, space_id, words.agreement_saved(user_id, saved.schedule_text, saved.next_due)
                )
            except Exception:
                log.warning("the agreement note for pair %s was not posted", saved.pair_id, exc_info=True)
        return saved

    @staticmethod
    async def _profiles(session: AsyncSession, pair: Pair) -> list[MemberProfile]:
        found = await ProfileRepo(session).many(pair.guild_id, pair.user_ids)
        return [found[u] for u in pair.user_ids if u in found]

    # ----- check-ins -------------------------------------------------------------------------

    async def check_in(
        self,
        guild_id: int,
        user_id: int,
        pair_id: int | None,
        *,
        mood: str,
        progress: str,
        note: str,
        share: str,
    ) -> CheckinSaved:
        """Record a check-in; the pair space says that the member checked in, and shows the note only
        when the member chose to share it."""
        mood_value = parse_mood(mood)
        progress_text = _check_length("progress", progress)
        note_text = _check_length("note", note)
        shared = parse_yes_no(share) and bool(note_text)
        async with self._unit() as session:
            pair = await self._member_pair(session, guild_id, user_id, pair_id)
            session.add(
                CheckIn(
                    guild_id=guild_id,
                    pair_id=pair.id,
                    user_id=user_id,
                    mood=mood_value,
                    progress=progress_text,
                    note=note_text,
                    share_note=shared,
                    created_at=self.clock(),
                )
            )
            space_id, saved_pair = pair.space_id, pair.id
        log.info("check-in recorded in pair %s", saved_pair)
        if space_id is not None:
            try:
                await self.spaces.post_in_space(
                    guild_id, space_id, words.checked_in(user_id, note_text if shared else None)
                )
            except Exception:
                log.warning("the check-in note for pair %s was not posted", saved_pair, exc_info=True)
        return CheckinSaved(saved_pair, shared)

    async def history(self, guild_id: int, user_id: int) -> History:
        async with self._unit() as session:
            moods = (
                await session.execute(
                    select(CheckIn.created_at, CheckIn.mood)
                    .where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id)
                    .order_by(CheckIn.created_at)
                )
            ).all()
            updates = (
                await session.execute(
                    select(GoalUpdate.at, GoalUpdate.goal_id, GoalUpdate.percent)
                    .join(Goal, Goal.id == GoalUpdate.goal_id)
                    .where(Goal.guild_id == guild_id, Goal.user_id == user_id, Goal.status != "removed")
                    .order_by(GoalUpdate.at)
                )
            ).all()
        latest: dict[int, int] = {}
        progress = []
        for at, goal_id, percent in updates:
            latest[goal_id] = percent
            progress.append((at, sum(latest.values()) / len(latest)))
        return History(tuple((at, mood) for at, mood in moods), tuple(progress))

    # ----- holidays and hours ----------------------------------------------------------------

    async def pause(self, guild_id: int, user_id: int, until: str) -> datetime:
        try:
            day = date.fromisoformat(until.strip())
        except ValueError:
            raise InvalidInput("Please give the date as YYYY-MM-DD, for example 2026-08-31.") from None
        async with self._unit() as session:
            profile = await self._profile(session, guild_id, user_id)
            zone = ZoneInfo(profile.timezone)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
            now = self.clock()
            if end <= now:
                raise InvalidInput("That date has already passed; choose a day from today on.")
            if end - now > MAX_PAUSE:
                raise InvalidInput("You can pause check-ins for up to six months at a time.")
            profile.checkins_paused_until = end
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
        for pair in pairs:
            self._changed(pair.id)
        return end

    async def resume(self, guild_id: int, user_id: int) -> bool:
        async with self._unit() as session:
            profile = await self._profile(session, guild_id, user_id)
            was = profile.checkins_paused_until is not None and profile.checkins_paused_until > self.clock()
            profile.checkins_paused_until = None
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
        for pair in pairs:
            self._changed(pair.id)
        return was

    async def set_hours(self, guild_id: int, user_id: int, start: int, end: int) -> None:
        if not (0 <= start <= 23 and 1 <= end <= 24) or start == end:
            raise InvalidInput("Give your daytime as two different hours: start 0-23 and end 1-24.")
        async with self._unit() as session:
            profile = await self._profile(session, guild_id, user_id)
            profile.day_start, profile.day_end = start, end
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
        for pair in pairs:
            self._changed(pair.id)

    async def _profile(self, session: AsyncSession, guild_id: int, user_id: int) -> MemberProfile:
        profile = await ProfileRepo(session).get(guild_id, user_id)
        if profile is None or not profile.opted_in:
            raise NotFound("You haven't joined the peer program yet: use /peer join to opt in.")
        return profile

    # ----- going quiet -----------------------------------------------------------------------

    async def quiet_choice(self, guild_id: int, user_id: int, pair_id: int, choice: str) -> str:
        """The partner of a quiet member chooses: keep waiting, pause, or be rematched (done by the caller)."""
        async with self._unit() as session:
            pair = await self._member_pair(session, guild_id, user_id, pair_id)
            if choice == "pause":
                profile = await self._profile(session, guild_id, user_id)
                profile.checkins_paused_until = self.clock() + QUIET_PAUSE
            self._changed(pair.id)
        return choice

    # ----- moderators ------------------------------------------------------------------------

    async def configure(self, guild_id: int, *, checkin_time: str | None, quiet_after: int | None) -> GuildSettings:
        minute = None
        if checkin_time is not None:
            try:
                parsed = time.fromisoformat(checkin_time.strip())
            except ValueError:
                raise InvalidInput("Give the default check-in time as HH:MM, for example 18:00.") from None
            minute = parsed.hour * 60 + parsed.minute
        if quiet_after is not None and not 1 <= quiet_after <= 10:
            raise InvalidInput("The number of missed check-ins before asking the partner must be 1 to 10.")
        async with self._unit() as session:
            settings = await SettingsRepo(session).get_or_new(guild_id)
            if minute is not None:
                settings.checkin_minute = minute
            if quiet_after is not None:
                settings.quiet_after_missed = quiet_after
            await session.flush()
            return settings

    async def health(self, guild_id: int) -> dict[int, str]:
        """On track, check-in overdue, or inactive, for each active pair: from dates only, never content."""
        now = self.clock()
        async with self._unit() as session:
            pairs = list(await session.scalars(select(Pair).where(Pair.guild_id == guild_id, Pair.status == "active")))
            per_member = (
                await session.execute(
                    select(CheckIn.pair_id, CheckIn.user_id, func.max(CheckIn.created_at))
                    .where(CheckIn.guild_id == guild_id)
                    .group_by(CheckIn.pair_id, CheckIn.user_id)
                )
            ).all()
            last_prompt = dict(
                (
                    await session.execute(
                        select(Delivery.pair_id, func.max(Delivery.due_at))
                        .where(Delivery.guild_id == guild_id, Delivery.kind == "checkin", Delivery.status == "sent")
                        .group_by(Delivery.pair_id)
                    )
                ).all()
            )
        last: dict[tuple[int | None, int], datetime | None] = {(p, u): _aware(at) for p, u, at in per_member}
        out = {}
        for pair in pairs:
            times = [last.get((pair.id, u)) for u in pair.user_ids]
            known = [t for t in times if t is not None]
            out[pair.id] = pair_health(
                now,
                pair.started_at,
                last_prompt.get(pair.id),
                latest=max(known) if known else None,
                slowest=None if None in times or not times else min(known),
            )
        return out


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates skip the column type, so SQLite hands back naive UTC datetimes."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def pair_health(
    now: datetime,
    started: datetime | None,
    last_prompt: datetime | None,
    *,
    latest: datetime | None,
    slowest: datetime | None,
) -> str:
    """From dates only. ``latest`` is the pair's most recent check-in by anyone, ``slowest`` the
    oldest of the members' latest check-ins (None when a member never checked in). Inactive: nobody
    for 30 days (counting from the start); overdue: the latest prompt is two days old and a member
    hasn't answered it; on track otherwise."""
    last_prompt = _aware(last_prompt)
    since = latest or started
    if since is not None and now - since > INACTIVE_AFTER:
        return "inactive"
    if last_prompt is not None and now - last_prompt > OVERDUE_AFTER and (slowest is None or slowest < last_prompt):
        return "check-in overdue"
    return "on track"
