"""Break-glass access: one moderator may read one pair space for a short, fixed time. Imports no discord.

Nobody looks without the pair knowing: the grant row and its audit entry commit together first, then the
notice is posted in the space, and only then is the view opened; if the notice cannot be posted nothing
is opened (the grant is withdrawn, and that is audited too). Each grant is a row in ``access_grants``
with its ``expires_at``; :meth:`AccessService.expire_due` ends what is due (revoking the view, then
recording the end with its audit entry, then telling the pair) and returns when the next grant ends, so
a job rebuilt from the table at start neither loses nor extends a grant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import MAX_REASON, AuditAction, AuditLog
from bot.core.errors import Conflict, InvalidInput, NotFound, SpaceError
from bot.core.ports import SafetyPort
from bot.core.text import clean_line, mention, shown_plain
from bot.db.base import utcnow
from bot.pairing import PairRepo, PairStatus, SpaceKind, as_utc
from bot.safety.models import AccessGrant
from bot.safety.queries import AccessGrantRepo

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 60
MAX_MINUTES = 24 * 60
RETRY = timedelta(minutes=1)


@dataclass(frozen=True)
class GrantView:
    grant_id: int
    guild_id: int
    pair_id: int
    moderator_id: int
    expires_at: datetime


def _when(value: datetime) -> str:
    return f"<t:{int(value.timestamp())}:f>"


def granted_notice(moderator_id: int, until: datetime, reason: str, kind: str = SpaceKind.CHANNEL) -> str:
    """What the pair is told. In a private thread Discord has no read-only member: whoever is added can
    post, so the notice says so rather than promise what the bot cannot enforce."""
    can = (
        "They can read what is written here and, because this space is a private thread, Discord also lets "
        "them post in it; they are asked only to read."
        if kind == SpaceKind.THREAD
        else "They can read what is written here but cannot post."
    )
    return (
        f"A moderator, {mention(moderator_id)}, can see this space until {_when(until)} "
        f"because: {shown_plain(reason)}\n"
        f"{can} Nothing else changes, and this notice is always posted when a moderator is given access."
    )


def ended_notice(moderator_id: int) -> str:
    return f"{mention(moderator_id)}'s moderator access to this space has ended: they can no longer see it."


def not_opened_notice(moderator_id: int) -> str:
    return (
        f"Correction: {mention(moderator_id)} could not be given access after all, so nobody else can see this space."
    )


class AccessService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SafetyPort,
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.audit = audit
        self.clock = clock
        self.on_change = on_change  # wakes the expiry job

    async def grant(self, guild_id: int, pair_id: int, moderator_id: int, reason: str, minutes: int) -> GrantView:
        """Give a moderator temporary read access to a pair's space, after telling the pair."""
        why = clean_line(reason)
        if not why:
            raise InvalidInput("Give a reason for looking into this pair's space; the pair will see it.")
        if len(why) > MAX_REASON:
            raise InvalidInput(f"Keep the reason to {MAX_REASON} characters (it has {len(why)}).")
        if not 1 <= minutes <= MAX_MINUTES:
            raise InvalidInput(f"Access lasts from 1 to {MAX_MINUTES} minutes (24 hours); choose a time in that range.")
        now = self.clock()
        async with self.audit.unit() as unit:
            session = unit.session
            pair = await PairRepo(session).get(pair_id)
            if pair is None or pair.guild_id != guild_id or pair.status == PairStatus.PENDING or pair.space_id is None:
                raise NotFound(f"There is no pair #{pair_id} on this server.")
            if pair.status == PairStatus.ENDED:
                raise Conflict(f"Pair #{pair_id} has ended, so there is no open space to look into.")
            if moderator_id in pair.user_ids:
                raise Conflict(
                    f"You are in pair #{pair_id} yourself, so you already see its space; ask another moderator."
                )
            grants = AccessGrantRepo(session)
            open_grant = await grants.open_grant(pair_id, moderator_id)
            if open_grant is not None:
                raise Conflict(f"You can already see pair #{pair_id}'s space until {_when(open_grant.expires_at)}.")
            space_id, kind = pair.space_id, pair.space_kind or SpaceKind.CHANNEL
            row = AccessGrant(
                guild_id=guild_id,
                pair_id=pair_id,
                moderator_id=moderator_id,
                granted_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
            grant_id = await grants.add(row)  # recorded first: a crash from here on is cleaned up by the expiry job
            view = GrantView(grant_id, guild_id, pair_id, moderator_id, row.expires_at)
            await unit.record(
                guild_id, moderator_id, AuditAction.ACCESS, pair_id=pair_id, reason=why, detail=f"minutes={minutes}"
            )
        try:
            await self.spaces.post_in_space(
                guild_id, space_id, granted_notice(moderator_id, view.expires_at, why, kind)
            )
        except Exception as exc:
            await self._withdraw(view, "notice not posted")
            log.warning("break-glass notice for pair %s could not be posted; access not given", pair_id)
            raise SpaceError(
                "I couldn't post the notice in that pair's space, so no access was given.", "notice not posted"
            ) from exc
        try:
            await self.spaces.grant_view(guild_id, space_id, kind, moderator_id)
        except Exception:
            await self._withdraw(view, "view not opened")
            try:
                await self.spaces.post_in_space(guild_id, space_id, not_opened_notice(moderator_id))
            except Exception:
                log.warning("break-glass correction for pair %s not posted", pair_id, exc_info=True)
            raise
        log.info("break-glass grant %s on pair %s in guild %s", view.grant_id, pair_id, guild_id)
        if self.on_change is not None:
            self.on_change()
        return view

    async def _withdraw(self, view: GrantView, why: str) -> None:
        """Take back a grant that was never given (its notice or its view failed): no row, one audit entry."""
        async with self.audit.unit() as unit:
            grants = AccessGrantRepo(unit.session)
            row = await grants.get(view.grant_id)
            if row is not None:
                await grants.delete(row)
            await unit.record(view.guild_id, None, AuditAction.ACCESS_WITHDRAWN, pair_id=view.pair_id, detail=why)

    async def expire_due(self) -> datetime | None:
        """End every grant whose time is up; return when the next open grant ends (None: none open)."""
        now = self.clock()
        async with self.sessions() as session:
            rows = await AccessGrantRepo(session).open_grants()
            grants = [(g.id, g.guild_id, g.pair_id, g.moderator_id, as_utc(g.expires_at)) for g in rows]
        retry: datetime | None = None
        for grant_id, guild_id, pair_id, moderator_id, expires_at in grants:
            if expires_at > now:
                return min(expires_at, retry) if retry else expires_at
            try:
                await self._end(grant_id, guild_id, pair_id, moderator_id)
            except Exception:  # one space Discord refuses must not keep the others open
                log.warning("break-glass grant %s could not be ended yet; retrying shortly", grant_id, exc_info=True)
                retry = now + RETRY
        return retry

    async def _end(self, grant_id: int, guild_id: int, pair_id: int, moderator_id: int) -> None:
        async with self.sessions() as session:
            pair = await PairRepo(session).get(pair_id)
            space = (pair.space_id, pair.space_kind or SpaceKind.CHANNEL) if pair is not None else None
        if space is not None and space[0] is not None:
            # revoked before it is recorded as ended: a crash in between revokes again, never leaves it open
            await self.spaces.revoke_view(guild_id, space[0], space[1], moderator_id)
        async with self.audit.unit() as unit:
            row = await AccessGrantRepo(unit.session).get(grant_id)
            if row is None or row.ended_at is not None:
                return
            row.ended_at = self.clock()
            await unit.record(
                guild_id,
                None,
                AuditAction.ACCESS_ENDED,
                pair_id=pair_id,
                member_ids=[moderator_id],
                detail="time is up",
            )
        log.info("break-glass grant %s on pair %s ended", grant_id, pair_id)
        if space is not None and space[0] is not None:
            try:
                await self.spaces.post_in_space(guild_id, space[0], ended_notice(moderator_id))
            except Exception:
                log.warning("end of break-glass access on pair %s not announced", pair_id, exc_info=True)
