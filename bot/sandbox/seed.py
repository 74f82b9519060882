"""Fill a database with active pairs whose check-in is due now: for the kill-and-restart test, the
prompts benchmark and load experiments. Each pair gets its own channel in the sandbox guild."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.checkins.models import CheckinSchedule
from bot.checkins.states import Frequency
from bot.db.engine import create_session_factory
from bot.pairing import CreatedBy, GuildSettings, MemberProfile, Pair, PairMember, PairStatus, Role, SpaceKind
from bot.sandbox import Guild, Sandbox


async def seed_due_pairs(
    engine: AsyncEngine, sb: Sandbox, guild: Guild, count: int, now: datetime, *, first_user: int = 10**17
) -> list[int]:
    """``count`` pairs in ``guild``, each with a channel and a weekly schedule whose latest occurrence
    lies in the past week. Returns the channel ids. Members are ids only (no sandbox users needed)."""
    channels = [sb.add_text_channel(guild, f"pair-{i:06x}").id for i in range(count)]
    await seed_pairs_in(engine, guild.id, channels, now, first_user=first_user)
    return channels


async def seed_pairs_in(
    engine: AsyncEngine, guild_id: int, channels: list[int], now: datetime, *, first_user: int = 10**17
) -> None:
    """The database half of :func:`seed_due_pairs`, for channels made elsewhere (a sandbox in
    another process): a due pair in each of ``channels``."""
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        session.add(GuildSettings(guild_id=guild_id, topics=[], overflow_category_ids=[]))
        for i, channel_id in enumerate(channels):
            users = (first_user + 2 * i, first_user + 2 * i + 1)
            for user_id in users:
                session.add(MemberProfile(guild_id=guild_id, user_id=user_id, role=Role.PEER, timezone="UTC"))
            pair = Pair(
                guild_id=guild_id,
                status=PairStatus.ACTIVE,
                space_name=f"pair-{i:06x}",
                space_id=channel_id,
                space_kind=SpaceKind.CHANNEL,
                created_by=CreatedBy.ROUND,
                started_at=now - timedelta(days=10),
            )
            pair.members = [PairMember(guild_id=guild_id, user_id=u, slot=0) for u in users]
            session.add(pair)
            await session.flush()
            anchor = (now - timedelta(days=7)).date()
            session.add(CheckinSchedule(pair_id=pair.id, guild_id=guild_id, frequency=Frequency.WEEKLY, anchor=anchor))
