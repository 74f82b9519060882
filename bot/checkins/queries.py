"""The one way to the check-in tables (schedules, agreements, check-ins, goals) and to what planning reads
of the pairing tables (plain reads of those go through pairing's repositories; what joins a check-in table
stays here). The deliveries table has its own module, ``bot/checkins/ledger.py``.

Services, the planner and the scheduler call these inside their own unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import CheckIn, CheckinSchedule, Goal, GoalUpdate, PairAgreement
from bot.checkins.states import GoalStatus
from bot.pairing import GuildSettings, MemberProfile, Pair, PairMember, PairRepo, PairStatus, ProfileRepo, SettingsRepo

IN_LIST = 500  # ids in one ``IN (...)`` list


def aware(value: datetime | None) -> datetime | None:
    """Aggregates skip the column type, so SQLite hands back naive UTC datetimes."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class CheckinRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ----- pairs, profiles and settings, as check-ins read them ------------------------------------

    async def profiles_of(self, pair: Pair) -> list[MemberProfile]:
        """The pair's members' profiles, in the pair's member order (missing ones left out)."""
        found = await ProfileRepo(self.session).many(pair.guild_id, pair.user_ids)
        return [found[u] for u in pair.user_ids if u in found]

    async def profiles_in(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, MemberProfile]:
        """Profiles of many members of one server, by user id (a few hundred a query)."""
        ids = sorted(set(user_ids))
        found: dict[int, MemberProfile] = {}
        for start in range(0, len(ids), IN_LIST):
            found.update(await ProfileRepo(self.session).many(guild_id, ids[start : start + IN_LIST]))
        return found

    async def settings(self, guild_id: int) -> GuildSettings | None:
        return await SettingsRepo(self.session).get(guild_id)

    async def active_pairs(self, guild_id: int) -> list[Pair]:
        return list(await PairRepo(self.session).active(guild_id))

    async def pairs_by_id(self, pair_ids: Iterable[int]) -> dict[int, Pair]:
        return await PairRepo(self.session).by_ids(pair_ids)

    async def pair(self, pair_id: int) -> Pair | None:
        return await PairRepo(self.session).get(pair_id)

    async def profile(self, guild_id: int, user_id: int) -> MemberProfile | None:
        return await ProfileRepo(self.session).get(guild_id, user_id)

    # ----- schedules ------------------------------------------------------------------------------

    async def schedule(self, pair_id: int) -> CheckinSchedule | None:
        stmt = select(CheckinSchedule).where(CheckinSchedule.pair_id == pair_id)
        return (await self.session.scalars(stmt)).one_or_none()

    def add(self, row: CheckinSchedule | PairAgreement | CheckIn | Goal | GoalUpdate) -> None:
        self.session.add(row)

    async def pairs_without_schedule(self) -> list[Pair]:
        have = select(CheckinSchedule.pair_id)
        return list(
            await self.session.scalars(select(Pair).where(Pair.status == PairStatus.ACTIVE, Pair.id.not_in(have)))
        )

    async def scheduled_pairs(self, pair_ids: Sequence[int] | None = None) -> list[tuple[Pair, CheckinSchedule]]:
        """Active pairs with their schedule (all of them, or those among ``pair_ids``)."""
        stmt = select(Pair, CheckinSchedule).join(CheckinSchedule, CheckinSchedule.pair_id == Pair.id)
        stmt = stmt.where(Pair.status == PairStatus.ACTIVE)
        if pair_ids is not None:
            stmt = stmt.where(Pair.id.in_(list(pair_ids)))
        return [(pair, row) for pair, row in (await self.session.execute(stmt)).all()]

    async def active_pair_ids(self) -> list[int]:
        stmt = select(CheckinSchedule.pair_id).join(Pair, Pair.id == CheckinSchedule.pair_id)
        return list(
            await self.session.scalars(stmt.where(Pair.status == PairStatus.ACTIVE).order_by(CheckinSchedule.pair_id))
        )

    async def next_prompt_after(self, now: datetime) -> datetime | None:
        """The earliest future prompt of an active pair: when the check-in job must next run."""
        stmt = (
            select(func.min(CheckinSchedule.next_due_at))
            .join(Pair, Pair.id == CheckinSchedule.pair_id)
            .where(Pair.status == PairStatus.ACTIVE, CheckinSchedule.next_due_at > now)
        )
        return aware(await self.session.scalar(stmt))

    # ----- agreements -----------------------------------------------------------------------------

    async def agreement(self, pair_id: int) -> PairAgreement | None:
        stmt = select(PairAgreement).where(PairAgreement.pair_id == pair_id)
        return (await self.session.scalars(stmt)).one_or_none()

    # ----- check-ins ------------------------------------------------------------------------------

    async def checkin_times(self, pair_id: int, user_id: int, since: datetime) -> list[datetime]:
        stmt = select(CheckIn.created_at).where(
            CheckIn.pair_id == pair_id, CheckIn.user_id == user_id, CheckIn.created_at >= since
        )
        return list(await self.session.scalars(stmt))

    async def checkin_times_of(self, pair_ids: Sequence[int], since: datetime) -> dict[int, dict[int, list[datetime]]]:
        """:meth:`checkin_times` for many pairs at once: by pair, then member, every check-in since then."""
        out: dict[int, dict[int, list[datetime]]] = {}
        for start in range(0, len(pair_ids), IN_LIST):
            stmt = select(CheckIn.pair_id, CheckIn.user_id, CheckIn.created_at).where(
                CheckIn.pair_id.in_(list(pair_ids[start : start + IN_LIST])), CheckIn.created_at >= since
            )
            for pair_id, user_id, at in (await self.session.execute(stmt)).all():
                if pair_id is None:
                    continue
                out.setdefault(pair_id, {}).setdefault(user_id, []).append(at)
        return out

    async def moods(self, guild_id: int, user_id: int) -> list[tuple[datetime, int]]:
        stmt = (
            select(CheckIn.created_at, CheckIn.mood)
            .where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id)
            .order_by(CheckIn.created_at)
        )
        return [(at, mood) for at, mood in (await self.session.execute(stmt)).all()]

    async def latest_checkins(self, guild_id: int) -> dict[tuple[int | None, int], datetime | None]:
        """Each member's latest check-in in each pair of the server."""
        stmt = (
            select(CheckIn.pair_id, CheckIn.user_id, func.max(CheckIn.created_at))
            .where(CheckIn.guild_id == guild_id)
            .group_by(CheckIn.pair_id, CheckIn.user_id)
        )
        return {(p, u): aware(at) for p, u, at in (await self.session.execute(stmt)).all()}

    # ----- goals ----------------------------------------------------------------------------------

    async def goal(self, goal_id: int) -> Goal | None:
        return await self.session.get(Goal, goal_id)

    async def goals_of(self, guild_id: int, user_id: int, statuses: Sequence[GoalStatus]) -> list[Goal]:
        stmt = (
            select(Goal)
            .where(Goal.guild_id == guild_id, Goal.user_id == user_id, Goal.status.in_(list(statuses)))
            .order_by(Goal.status.desc(), Goal.id)
        )
        return list(await self.session.scalars(stmt))

    async def open_goals_with_dates(self, guild_id: int, user_ids: Sequence[int]) -> list[Goal]:
        out: list[Goal] = []
        for start in range(0, len(user_ids), IN_LIST):
            stmt = select(Goal).where(
                Goal.guild_id == guild_id,
                Goal.user_id.in_(list(user_ids[start : start + IN_LIST])),
                Goal.status == GoalStatus.OPEN,
                Goal.due_date.is_not(None),
            )
            out.extend(await self.session.scalars(stmt))
        return out

    async def progress_steps(self, guild_id: int, user_id: int) -> list[tuple[datetime, int, int]]:
        """(when, goal id, percent) of every progress step of the member's goals that are not removed."""
        stmt = (
            select(GoalUpdate.at, GoalUpdate.goal_id, GoalUpdate.percent)
            .join(Goal, Goal.id == GoalUpdate.goal_id)
            .where(Goal.guild_id == guild_id, Goal.user_id == user_id, Goal.status != GoalStatus.REMOVED)
            .order_by(GoalUpdate.at)
        )
        return [(at, goal_id, percent) for at, goal_id, percent in (await self.session.execute(stmt)).all()]

    # ----- data rights, retention and statistics (``bot/checkins/data.py``) -----------------------

    async def member_checkins(self, guild_id: int, user_id: int) -> list[CheckIn]:
        stmt = select(CheckIn).where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id).order_by(CheckIn.id)
        return list(await self.session.scalars(stmt))

    async def member_goals(self, guild_id: int, user_id: int) -> list[Goal]:
        stmt = select(Goal).where(Goal.guild_id == guild_id, Goal.user_id == user_id).order_by(Goal.id)
        return list(await self.session.scalars(stmt))

    async def member_agreements(self, guild_id: int, user_id: int) -> list[PairAgreement]:
        """The agreements of every pair the member was in."""
        their_pairs = select(PairMember.pair_id).where(PairMember.guild_id == guild_id, PairMember.user_id == user_id)
        return list(await self.session.scalars(select(PairAgreement).where(PairAgreement.pair_id.in_(their_pairs))))

    async def erase_member(self, guild_id: int, user_id: int) -> None:
        """A member's own check-ins and goals (a pair agreement is joint work and stays)."""
        await self.session.execute(delete(CheckIn).where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id))
        await self.session.execute(delete(Goal).where(Goal.guild_id == guild_id, Goal.user_id == user_id))

    async def erase_pair_text(self, pair_id: int) -> None:
        """A pair's agreement, and the words of its check-ins (the moods and dates stay for statistics)."""
        await self.session.execute(delete(PairAgreement).where(PairAgreement.pair_id == pair_id))
        for checkin in await self.session.scalars(select(CheckIn).where(CheckIn.pair_id == pair_id)):
            checkin.note, checkin.progress = "", ""

    async def pairs_checked_in_since(self, guild_id: int, since: datetime) -> int:
        stmt = select(func.count(func.distinct(CheckIn.pair_id))).where(
            CheckIn.guild_id == guild_id, CheckIn.created_at >= since, CheckIn.pair_id.is_not(None)
        )
        return await self.session.scalar(stmt) or 0

    async def goals_done_since(self, guild_id: int, since: datetime) -> int:
        stmt = select(func.count(Goal.id)).where(
            Goal.guild_id == guild_id, Goal.status == GoalStatus.DONE, Goal.done_at >= since
        )
        return await self.session.scalar(stmt) or 0
