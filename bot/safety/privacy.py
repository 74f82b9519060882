"""Members' data rights: export everything Tandem holds about a member, or erase it. Imports no discord.

Erasing keeps the partner's data intact: pair records stay (by ids, so the partner's history and
space are untouched), reports the member filed stay only as "withdrawn" with their text and author
removed, and the blocks others set against them stay (they protect the others). Other features' tables
(notes, goals, check-ins) join as :class:`MemberData` handed to the constructor by the composition root.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditAction, AuditLog
from bot.core.errors import NotFound
from bot.pairing import BlockRepo, BlockSource, EndingService, GuildLocks, PairRepo, ProfileRepo
from bot.safety.queries import ReportRepo
from bot.safety.states import ReportStatus


@dataclass(frozen=True)
class MemberData:
    """What another feature stores about a member: exported under ``name``, erased with the rest."""

    name: str
    export: Callable[[AsyncSession, int, int], Awaitable[Any]]  # (session, guild_id, user_id) -> JSON-able
    erase: Callable[[AsyncSession, int, int], Awaitable[None]]  # (session, guild_id, user_id)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class PrivacyService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        endings: EndingService,
        audit: AuditLog,
        member_data: Sequence[MemberData] = (),
        *,
        locks: GuildLocks,
    ) -> None:
        self.sessions = sessions
        self.endings = endings
        self.audit = audit
        self.locks = locks  # pairing's guild locks: a round never reserves a member being taken out
        self.member_data = tuple(member_data)

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything Tandem holds about this member in this server, decrypted."""
        async with self.sessions() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            pairs = await PairRepo(session).pairs_of(guild_id, user_id)
            reports = await ReportRepo(session).filed_by(guild_id, user_id)
            blocks = await BlockRepo(session).blocked_by(guild_id, user_id)
            data: dict[str, Any] = {
                "server_id": str(guild_id),
                "member_id": str(user_id),
                "profile": None
                if profile is None
                else {
                    "role": profile.role,
                    "timezone": profile.timezone,
                    "languages": profile.languages,
                    "topics": profile.topics,
                    "community_tags": profile.tags,
                    "life_stage": profile.life_stage,
                    "about": profile.about,
                    "mentor_capacity": profile.capacity,
                    "opted_in": profile.opted_in,
                    "waiting_since": _when(profile.waiting_since),
                    "joined_at": _when(profile.created_at),
                },
                "pairings": [
                    {
                        "pair_id": p.id,
                        "partner_ids": [str(u) for u in p.partner_of(user_id)],
                        "status": p.status,
                        "started_at": _when(p.started_at),
                        "ended_at": _when(p.ended_at),
                        "end_reason": p.end_reason,
                    }
                    for p in pairs
                ],
                "reports_filed": [
                    {"case_id": r.id, "filed_at": _when(r.created_at), "text": r.text, "status": r.status}
                    for r in reports
                ],
                "dont_pair_me_with": [str(b) for b in blocks],
            }
            for source in self.member_data:
                data[source.name] = await source.export(session, guild_id, user_id)
        return data

    async def erase(self, guild_id: int, user_id: int, guild_name: str) -> bool:
        """A member erases their own data (ending their pairings kindly first). False if there was nothing."""
        async with self.sessions() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            opted_in = profile is not None and profile.opted_in
            reports = len(await ReportRepo(session).filed_by(guild_id, user_id))
        if opted_in:
            await self.endings.leave(guild_id, user_id, guild_name)
        async with self.sessions.begin() as session:
            held = await self._erase_rows(session, guild_id, user_id)
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            if profile is not None:
                await profiles.delete(profile)
            return held or reports > 0

    async def forget(self, guild_id: int, moderator_id: int, user_id: int, guild_name: str) -> bool:
        """Moderators erase a member's data on their request. False if Tandem held nothing about them.

        The erasure and its audit entry commit together before any Discord call: the profile is taken
        out of the program there and then, their pairings are ended kindly (which tells the partners),
        and the profile row goes last, so running it again after a crash finishes the job."""
        async with self.locks(guild_id), self.audit.unit() as unit:
            held = await self._erase_rows(unit.session, guild_id, user_id)
            profile = await ProfileRepo(unit.session).get(guild_id, user_id)
            if profile is not None:
                profile.opted_in, profile.waiting_since = False, None
            await unit.record(
                guild_id, moderator_id, AuditAction.FORGET, member_ids=[user_id], detail="" if held else "nothing held"
            )
        if profile is None:
            return held
        await self.endings.leave(guild_id, user_id, guild_name)
        async with self.sessions.begin() as session:
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            if profile is not None:
                await profiles.delete(profile)
        return True

    async def _erase_rows(self, session: AsyncSession, guild_id: int, user_id: int) -> bool:
        """Everything but the profile row: the member's own blocks, their reports withdrawn, other features'
        data. Returns whether Tandem held anything about them (the profile included)."""
        profile = await ProfileRepo(session).get(guild_id, user_id)
        blocks = await BlockRepo(session).remove_set_by(guild_id, user_id, BlockSource.MEMBER)
        reports = await ReportRepo(session).filed_by(guild_id, user_id)
        for report in reports:
            report.text, report.reporter_id, report.resolution_note = "", None, None
            report.status = ReportStatus.WITHDRAWN
        for source in self.member_data:
            await source.erase(session, guild_id, user_id)
        return profile is not None or bool(reports) or bool(blocks)

    async def require_something(self, guild_id: int, user_id: int) -> None:
        if not await self.erase_would_change(guild_id, user_id):
            raise NotFound("Tandem holds no data about you on this server.")

    async def erase_would_change(self, guild_id: int, user_id: int) -> bool:
        async with self.sessions() as session:
            return (await ProfileRepo(session).get(guild_id, user_id)) is not None or bool(
                await ReportRepo(session).filed_by(guild_id, user_id)
            )
