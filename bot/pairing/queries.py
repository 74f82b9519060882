"""Typed data access. Each repository takes the unit of work's AsyncSession and returns ORM objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.pairing.models import Block, GuildSettings, MemberProfile, Pair, PairHistory, PairMember
from bot.pairing.states import OPEN_STATUSES, BlockSource, EndReason, PairStatus

# (status, started_at, ended_at, end_reason) of a pair, as statistics read it
PairSpan = tuple[PairStatus, datetime | None, datetime | None, EndReason | None]


def as_utc(value: datetime) -> datetime:
    """Aggregates bypass the column type, so SQLite hands back naive UTC datetimes (or strings)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SettingsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, guild_id: int) -> GuildSettings | None:
        return await self.session.get(GuildSettings, guild_id)

    async def get_or_new(self, guild_id: int) -> GuildSettings:
        found = await self.get(guild_id)
        if found is None:
            found = GuildSettings(guild_id=guild_id, topics=[], overflow_category_ids=[])
            self.session.add(found)
        return found


class ProfileRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, guild_id: int, user_id: int) -> MemberProfile | None:
        stmt = select(MemberProfile).where(MemberProfile.guild_id == guild_id, MemberProfile.user_id == user_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def many(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, MemberProfile]:
        stmt = select(MemberProfile).where(
            MemberProfile.guild_id == guild_id, MemberProfile.user_id.in_(list(user_ids))
        )
        return {p.user_id: p for p in await self.session.scalars(stmt)}

    async def waiting(self, guild_id: int) -> Sequence[MemberProfile]:
        """Opted-in members on the waitlist with room for a partner, longest-waiting first."""
        load = (
            select(func.count(PairMember.id))
            .where(
                PairMember.guild_id == guild_id,
                PairMember.user_id == MemberProfile.user_id,
                PairMember.is_open,
            )
            .scalar_subquery()
        )
        stmt = (
            select(MemberProfile)
            .where(
                MemberProfile.guild_id == guild_id,
                MemberProfile.opted_in,
                MemberProfile.waiting_since.is_not(None),
                load < MemberProfile.capacity,
            )
            .order_by(MemberProfile.waiting_since, MemberProfile.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def opted_in_count(self, guild_id: int) -> int:
        stmt = select(func.count(MemberProfile.id)).where(MemberProfile.guild_id == guild_id, MemberProfile.opted_in)
        return int(await self.session.scalar(stmt) or 0)

    def add(self, guild_id: int, user_id: int) -> MemberProfile:
        profile = MemberProfile(guild_id=guild_id, user_id=user_id)
        self.session.add(profile)
        return profile

    async def delete(self, profile: MemberProfile) -> None:
        await self.session.delete(profile)


class PairRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_pairs_of(self, guild_id: int, user_id: int) -> Sequence[Pair]:
        """The member's open pairs (pending, active, paused): one, or up to capacity for a mentor."""
        stmt = (
            select(Pair)
            .join(PairMember, PairMember.pair_id == Pair.id)
            .where(PairMember.guild_id == guild_id, PairMember.user_id == user_id, PairMember.is_open)
            .order_by(Pair.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def pairs_of(self, guild_id: int, user_id: int) -> Sequence[Pair]:
        """Every pair the member was ever in, whatever its status, oldest first."""
        stmt = (
            select(Pair)
            .join(PairMember, PairMember.pair_id == Pair.id)
            .where(PairMember.guild_id == guild_id, PairMember.user_id == user_id)
            .order_by(Pair.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def ended_count(self, guild_id: int, user_id: int) -> int:
        """How many of the member's pairs have ended."""
        stmt = (
            select(func.count(PairMember.id))
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(PairMember.guild_id == guild_id, PairMember.user_id == user_id, Pair.status == PairStatus.ENDED)
        )
        return int(await self.session.scalar(stmt) or 0)

    async def spans(self, guild_id: int) -> list[PairSpan]:
        """Every pair of the server whose space was opened (pending ones left out), for statistics."""
        stmt = select(Pair.status, Pair.started_at, Pair.ended_at, Pair.end_reason).where(
            Pair.guild_id == guild_id, Pair.status != PairStatus.PENDING
        )
        return [(status, started, ended, reason) for status, started, ended, reason in await self.session.execute(stmt)]

    async def settled_pairs_of(self, guild_id: int, user_id: int) -> list[Pair]:
        """The member's open pairs whose space is open (not those still being opened)."""
        return [p for p in await self.open_pairs_of(guild_id, user_id) if p.status != PairStatus.PENDING]

    async def used_slots(self, guild_id: int, user_id: int) -> set[int]:
        stmt = select(PairMember.slot).where(
            PairMember.guild_id == guild_id, PairMember.user_id == user_id, PairMember.is_open
        )
        return set((await self.session.scalars(stmt)).all())

    async def mentor_load(self, guild_id: int) -> dict[int, int]:
        stmt = (
            select(PairMember.user_id, func.count(PairMember.id))
            .where(PairMember.guild_id == guild_id, PairMember.is_open)
            .group_by(PairMember.user_id)
        )
        return {user_id: count for user_id, count in (await self.session.execute(stmt)).all()}

    async def get(self, pair_id: int) -> Pair | None:
        return await self.session.get(Pair, pair_id)

    async def by_ids(self, pair_ids: Iterable[int]) -> dict[int, Pair]:
        stmt = select(Pair).where(Pair.id.in_(set(pair_ids)))
        return {p.id: p for p in await self.session.scalars(stmt)}

    async def active(self, guild_id: int) -> Sequence[Pair]:
        """The server's active pairs (not paused, pending or ended), in no particular order."""
        stmt = select(Pair).where(Pair.guild_id == guild_id, Pair.status == PairStatus.ACTIVE)
        return (await self.session.scalars(stmt)).all()

    async def add(self, pair: Pair) -> int:
        """Write a new pair and its members (the partial unique index refuses a double booking)."""
        self.session.add(pair)
        await self.session.flush()
        return pair.id

    async def open_pairs(self, guild_id: int) -> Sequence[Pair]:
        stmt = (
            select(Pair)
            .where(Pair.guild_id == guild_id, Pair.status.in_(OPEN_STATUSES))
            .order_by(Pair.started_at, Pair.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def pending(self) -> Sequence[Pair]:
        return (await self.session.scalars(select(Pair).where(Pair.status == PairStatus.PENDING))).all()

    async def name_taken(self, name: str) -> bool:
        return (await self.session.scalar(select(Pair.id).where(Pair.space_name == name))) is not None

    async def close_memberships(self, pair: Pair) -> None:
        await self.session.execute(update(PairMember).where(PairMember.pair_id == pair.id).values(is_open=False))
        for member in pair.members:
            member.is_open = False

    async def add_history(self, guild_id: int, pair_id: int, user_ids: Sequence[int]) -> None:
        ordered = sorted(user_ids)
        for i, low in enumerate(ordered):
            for high in ordered[i + 1 :]:
                self.session.add(PairHistory(guild_id=guild_id, pair_id=pair_id, user_low=low, user_high=high))

    async def history_latest(self, guild_id: int) -> dict[frozenset[int], datetime]:
        """Every past pair of this server, with when they were last paired."""
        stmt = (
            select(PairHistory.user_low, PairHistory.user_high, func.max(PairHistory.paired_at))
            .where(PairHistory.guild_id == guild_id)
            .group_by(PairHistory.user_low, PairHistory.user_high)
        )
        rows = (await self.session.execute(stmt)).all()
        return {frozenset((low, high)): as_utc(when) for low, high, when in rows}

    async def delete_pending(self, pair_id: int) -> bool:
        """Delete the pair if it is still pending; whether it was."""
        result = await self.session.execute(delete(Pair).where(Pair.id == pair_id, Pair.status == PairStatus.PENDING))
        return bool(getattr(result, "rowcount", 0))


def _either_way(a: int, b: int) -> ColumnElement[bool]:
    """A block between these two, whoever set it."""
    return or_((Block.blocker_id == a) & (Block.blocked_id == b), (Block.blocker_id == b) & (Block.blocked_id == a))


class BlockRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def between(self, guild_id: int, a: int, b: int) -> bool:
        stmt = select(Block.id).where(Block.guild_id == guild_id, _either_way(a, b))
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def count_between(self, guild_id: int, a: int, b: int) -> int:
        """How many blocks, of any source, stand between these two."""
        stmt = select(func.count(Block.id)).where(Block.guild_id == guild_id, _either_way(a, b))
        return int(await self.session.scalar(stmt) or 0)

    async def blocked_by(self, guild_id: int, blocker_id: int) -> Sequence[int]:
        """Whom this member asked never to be paired with."""
        stmt = select(Block.blocked_id).where(Block.guild_id == guild_id, Block.blocker_id == blocker_id)
        return (await self.session.scalars(stmt)).all()

    async def remove_between(self, guild_id: int, a: int, b: int, source: BlockSource) -> int:
        """Delete the blocks of this source between these two; returns how many went."""
        result = await self.session.execute(
            delete(Block).where(Block.guild_id == guild_id, Block.source == source, _either_way(a, b))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def remove_set_by(self, guild_id: int, blocker_id: int, source: BlockSource) -> int:
        """Delete the blocks of this source that this member set; returns how many went."""
        result = await self.session.execute(
            delete(Block).where(Block.guild_id == guild_id, Block.blocker_id == blocker_id, Block.source == source)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def all_pairs(self, guild_id: int) -> set[frozenset[int]]:
        stmt = select(Block.blocker_id, Block.blocked_id).where(Block.guild_id == guild_id)
        return {frozenset(row) for row in (await self.session.execute(stmt)).all()}

    async def add(self, guild_id: int, blocker_id: int, blocked_id: int, source: BlockSource) -> None:
        exists = await self.session.scalar(
            select(Block.id).where(
                Block.guild_id == guild_id, Block.blocker_id == blocker_id, Block.blocked_id == blocked_id
            )
        )
        if exists is None:
            self.session.add(Block(guild_id=guild_id, blocker_id=blocker_id, blocked_id=blocked_id, source=source))
