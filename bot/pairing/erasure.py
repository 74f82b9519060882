"""What pairing keeps about a member by id, for the one erasure path (``bot/safety/privacy.py``).

A member's erasure takes out their memberships of ended pairs, their repeat-partner history, the
match reasons of every pair they were in (they name what the two share) and the blocks they set. What
stays, and why, is listed in the README's privacy section: the pairs themselves (by id, for the
partner's history and open cases), and the blocks others or moderators set (they protect the others).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.pairing.models import Block, MemberProfile, Pair, PairHistory, PairMember
from bot.pairing.states import BlockSource


async def member_traces_held(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Whether pairing still holds anything tied to this member (the profile included)."""
    for stmt in (
        select(func.count())
        .select_from(MemberProfile)
        .where(MemberProfile.guild_id == guild_id, MemberProfile.user_id == user_id),
        select(func.count())
        .select_from(PairMember)
        .where(PairMember.guild_id == guild_id, PairMember.user_id == user_id),
        select(func.count()).select_from(PairHistory).where(PairHistory.guild_id == guild_id, _in_history(user_id)),
        select(func.count())
        .select_from(Block)
        .where(Block.guild_id == guild_id, Block.blocker_id == user_id, Block.source == BlockSource.MEMBER),
    ):
        if await session.scalar(stmt):
            return True
    return False


async def erase_member_traces(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """After the member's pairings have ended: their memberships, history, match reasons and own blocks.

    A pair that is still open keeps its membership row (ending it is the caller's first step)."""
    their_pairs = select(PairMember.pair_id).where(PairMember.guild_id == guild_id, PairMember.user_id == user_id)
    for pair in await session.scalars(select(Pair).where(Pair.id.in_(their_pairs))):
        pair.reasons = []
    await session.execute(
        delete(PairMember).where(
            PairMember.guild_id == guild_id, PairMember.user_id == user_id, PairMember.is_open.is_(False)
        )
    )
    await session.execute(delete(PairHistory).where(PairHistory.guild_id == guild_id, _in_history(user_id)))
    await session.execute(
        delete(Block).where(Block.guild_id == guild_id, Block.blocker_id == user_id, Block.source == BlockSource.MEMBER)
    )


def _in_history(user_id: int) -> ColumnElement[bool]:
    return or_(PairHistory.user_low == user_id, PairHistory.user_high == user_id)


async def departed_members(session: AsyncSession) -> list[tuple[int, int, datetime]]:
    """Every member who left a server and is still held: (guild_id, user_id, left_at)."""
    stmt = select(MemberProfile.guild_id, MemberProfile.user_id, MemberProfile.left_at).where(
        MemberProfile.left_at.is_not(None)
    )
    return [(g, u, at) for g, u, at in (await session.execute(stmt)).all() if at is not None]
