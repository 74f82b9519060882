"""Members' data rights: export everything Tandem holds about a member, or erase it. Imports no discord.

**One erasure path.** A member's own "Delete my data" (after /peer leave, or /peer data delete), a
moderator's /peeradmin forget and the erasure of members who left the server all go through
:meth:`PrivacyService._erase`, which asks every source: pairing (profile, memberships of ended pairs,
repeat history, match reasons, the member's own blocks), safety (reports they filed are withdrawn, text
and author removed) and each other feature's :class:`MemberData` (check-ins, goals, reminders), handed
to the constructor by the composition root. "Nothing held" is said only when every source is empty.

What stays, and why, is listed in the README's privacy section: pairs by id (the partner's history),
blocks others or moderators set against the member (they protect the others), and the audit log's ids
of moderator actions.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditAction, AuditLog, entries_about, erase_reasons
from bot.core.errors import InvalidInput, NotFound
from bot.db.base import utcnow
from bot.pairing import (
    Block,
    BlockSource,
    EndingService,
    GuildLocks,
    PairRepo,
    ProfileRepo,
    as_utc,
    departed_members,
    erase_member_traces,
    member_traces_held,
)
from bot.safety.models import AccessGrant
from bot.safety.queries import ReportRepo, SafetySettingsRepo
from bot.safety.states import ReportStatus

log = logging.getLogger(__name__)

DEPARTED_DAYS = 30  # default: data of members who left the server is erased this many days later
MAX_DEPARTED_DAYS = 3650
RETRY = timedelta(hours=1)

Source = Callable[[AsyncSession, int, int], Awaitable[Any]]  # (session, guild_id, user_id)


@dataclass(frozen=True)
class MemberData:
    """What another feature stores about a member: exported under ``name``, erased with the rest, and
    asked (``holds``) whether anything is left."""

    name: str
    export: Source  # -> JSON-able
    erase: Callable[[AsyncSession, int, int], Awaitable[None]]
    holds: Callable[[AsyncSession, int, int], Awaitable[bool]]


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
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.endings = endings
        self.audit = audit
        self.locks = locks  # pairing's guild locks: a round never reserves a member being taken out
        self.member_data = tuple(member_data)
        self.clock = clock
        self.on_change = on_change  # the departed-members timer

    # ----- export ------------------------------------------------------------------------------

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything Tandem holds about this member in this server, decrypted; nothing that reveals
        someone else's confidential choice (a moderator's block, a partner's reports or blocks)."""
        async with self.sessions() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            pairs = await PairRepo(session).pairs_of(guild_id, user_id)
            reports = await ReportRepo(session).filed_by(guild_id, user_id)
            blocks = await session.scalars(
                select(Block.blocked_id).where(
                    Block.guild_id == guild_id, Block.blocker_id == user_id, Block.source == BlockSource.MEMBER
                )
            )
            grants = await session.scalars(
                select(AccessGrant).where(AccessGrant.pair_id.in_([p.id for p in pairs])).order_by(AccessGrant.id)
            )
            views: dict[int, list[dict[str, str | None]]] = {}
            for g in grants:  # who could read the space and when (the pair was told); the reason is audit's
                views.setdefault(g.pair_id, []).append(
                    {
                        "moderator_id": str(g.moderator_id),
                        "from": _when(g.granted_at),
                        "until": _when(g.expires_at),
                        "ended": _when(g.ended_at),
                    }
                )
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
                    "left_server_at": _when(profile.left_at),
                },
                "settings": None
                if profile is None
                else {
                    "dms_closed_to_tandem": profile.dms_closed,
                    "checkin_hours": {"start": profile.day_start, "end": profile.day_end},
                    "checkins_paused_until": _when(profile.checkins_paused_until),
                    "celebrate_goals": profile.celebrate_goals,
                },
                "pairings": [
                    {
                        "pair_id": p.id,
                        "partner_ids": [str(u) for u in p.partner_of(user_id)],
                        "status": p.status,
                        "started_at": _when(p.started_at),
                        "ended_at": _when(p.ended_at),
                        "end_reason": p.end_reason,
                        "match_reasons": list(p.reasons),
                        "moderator_access": views.get(p.id, []),
                    }
                    for p in pairs
                ],
                "reports_filed": [
                    {
                        "case_id": r.id,
                        "filed_at": _when(r.created_at),
                        "text": r.text,
                        "status": r.status,
                        "outcome": r.resolution,  # the category only: moderators' notes stay theirs
                        "closed_at": _when(r.resolved_at),
                    }
                    for r in reports
                ],
                "dont_pair_me_with": [str(b) for b in blocks],
            }
            for source in self.member_data:
                data[source.name] = await source.export(session, guild_id, user_id)
        return data

    # ----- erasure -----------------------------------------------------------------------------

    async def erase(self, guild_id: int, user_id: int, guild_name: str) -> bool:
        """A member erases their own data (ending their pairings kindly). False if there was nothing."""
        return await self._erase(guild_id, user_id, guild_name)

    async def forget(self, guild_id: int, moderator_id: int, user_id: int, guild_name: str) -> bool:
        """Moderators erase a member's data on their request (the member may have left the server).
        False if Tandem held nothing about them."""
        return await self._erase(guild_id, user_id, guild_name, audited=(moderator_id, AuditAction.FORGET, ""))

    async def _erase(
        self,
        guild_id: int,
        user_id: int,
        guild_name: str,
        *,
        audited: tuple[int | None, AuditAction, str] | None = None,
    ) -> bool:
        """The one erasure path. The rows and the audit entry commit together before any Discord call:
        the member is taken out of the program there and then, their pairings are ended kindly (which
        tells the partners), and pairing's traces and the profile go last, so running it again after a
        crash finishes the job."""
        async with self.locks(guild_id), self.audit.unit() as unit:
            session = unit.session
            held = await self._holds(session, guild_id, user_id)
            for report in await ReportRepo(session).filed_by(guild_id, user_id):
                report.text, report.reporter_id, report.resolution_note = "", None, None
                report.status = ReportStatus.WITHDRAWN
            for source in self.member_data:
                await source.erase(session, guild_id, user_id)
            # moderators' reasons about the member (a break-glass "why") go too; the chain keeps verifying
            their_pairs = [p.id for p in await PairRepo(session).pairs_of(guild_id, user_id)]
            await erase_reasons(session, await entries_about(session, guild_id, user_id, their_pairs))
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.opted_in, profile.waiting_since = False, None
            if audited is not None:
                actor, action, detail = audited
                await unit.record(
                    guild_id, actor, action, member_ids=[user_id], detail=(detail or "") if held else "nothing held"
                )
        if profile is not None:
            await self.endings.leave(guild_id, user_id, guild_name)
        async with self.locks(guild_id), self.sessions.begin() as session:
            await erase_member_traces(session, guild_id, user_id)
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            if profile is not None:
                await profiles.delete(profile)
        return held

    async def _holds(self, session: AsyncSession, guild_id: int, user_id: int) -> bool:
        if await member_traces_held(session, guild_id, user_id):
            return True
        if await ReportRepo(session).filed_by(guild_id, user_id):
            return True
        for source in self.member_data:
            if await source.holds(session, guild_id, user_id):
                return True
        return False

    async def require_something(self, guild_id: int, user_id: int) -> None:
        if not await self.erase_would_change(guild_id, user_id):
            raise NotFound("Tandem holds no data about you on this server.")

    async def erase_would_change(self, guild_id: int, user_id: int) -> bool:
        """Whether any source still holds something of this member's."""
        async with self.sessions() as session:
            return await self._holds(session, guild_id, user_id)

    # ----- members who left the server ---------------------------------------------------------

    async def set_departed_days(self, guild_id: int, moderator_id: int, days: int) -> int:
        """Erase the data of members who left the server ``days`` after they left (audited)."""
        if not 1 <= days <= MAX_DEPARTED_DAYS:
            raise InvalidInput(f"Choose from 1 to {MAX_DEPARTED_DAYS} days for members who left the server.")
        async with self.audit.unit() as unit:
            (await SafetySettingsRepo(unit.session).get_or_new(guild_id)).departed_days = days
            await unit.record(guild_id, moderator_id, AuditAction.DEPARTED_DAYS, detail=f"days={days}")
        if self.on_change is not None:
            self.on_change()
        return days

    async def departed_days(self, guild_id: int) -> int:
        async with self.sessions() as session:
            return await self._departed_days(session, guild_id)

    @staticmethod
    async def _departed_days(session: AsyncSession, guild_id: int) -> int:
        found = await SafetySettingsRepo(session).get(guild_id)
        return found.departed_days if found is not None and found.departed_days else DEPARTED_DAYS

    async def sweep_departed(self) -> datetime | None:
        """Erase members who left long enough ago; return when the next one is due. A member who filed a
        case that is still open is kept until it is resolved (the moderators may need to reach them)."""
        now = self.clock()
        due_now: list[tuple[int, int, int]] = []
        upcoming: list[datetime] = []
        async with self.sessions() as session:
            for guild_id, user_id, left_at in await departed_members(session):
                days = await self._departed_days(session, guild_id)
                due = as_utc(left_at) + timedelta(days=days)
                if now < due:
                    upcoming.append(due)
                elif any(r.status == ReportStatus.OPEN for r in await ReportRepo(session).filed_by(guild_id, user_id)):
                    upcoming.append(now + RETRY)
                else:
                    due_now.append((guild_id, user_id, days))
        for guild_id, user_id, days in due_now:
            try:
                detail = f"left the server {days} days ago"
                await self._erase(guild_id, user_id, "the server", audited=(None, AuditAction.DEPARTED_ERASED, detail))
                log.info("erased a member who left server %s", guild_id)
            except Exception:  # one member must not hold up the others
                log.warning("erasing a departed member in server %s failed; retrying later", guild_id, exc_info=True)
                upcoming.append(now + RETRY)
        return min(upcoming, default=None)
