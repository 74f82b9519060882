"""Retention: an ended pair's space, and what Tandem stored about that pairing, are deleted after a
number of days the server chooses. Imports no discord.

The pair is told first: a notice is posted in the space ``NOTICE_BEFORE`` ahead (or, for a shorter
setting, as soon as the pairing ends), and the deletion never comes sooner after the notice than that,
even when the bot was down or the setting was changed late. Progress is kept in ``pair_retention``
(``notice_at``, ``closed_at``), so a sweep can be run any number of times, and after a crash at any
point, without losing or repeating a step:

- the notice is posted, then ``notice_at`` is recorded (a crash between the two is the only way a
  notice could be posted twice; it is never skipped);
- the space is deleted (deleting a deleted space is a no-op), then, in one transaction, everything
  stored about the pair is erased and ``closed_at`` recorded.

**Extension point.** Other features that store free text tied to a pair (check-in notes, goals,
agreements) hand the service a :data:`PairEraser` (``erasers``, wired in the composition root); each
runs inside that transaction.
Reports are moderators' cases: a closed case about the pair keeps its id, status and outcome but its
text is erased; an open case is left for the moderators to act on.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditAction, AuditLog
from bot.core.errors import InvalidInput
from bot.core.ports import SafetyPort
from bot.db.base import utcnow
from bot.pairing import as_utc
from bot.safety.models import PairRetention
from bot.safety.queries import ReportRepo, RetentionRepo, SafetySettingsRepo

log = logging.getLogger(__name__)

NOTICE_BEFORE = timedelta(days=3)
MAX_DAYS = 3650

# (session, guild_id, pair_id): erase what a feature stored about this pair, inside the sweep's transaction.
PairEraser = Callable[[AsyncSession, int, int], Awaitable[None]]


def _date(value: datetime) -> str:
    return f"<t:{int(value.timestamp())}:D>"


def retention_notice(delete_at: datetime, days: int) -> str:
    return (
        f"This space will be deleted on {_date(delete_at)}: this server keeps an ended pairing's space for "
        f"{days} day{'s' if days != 1 else ''}. If there is anything here you'd like to keep, copy it before then. "
        "Anything Tandem stored about this pairing is deleted at the same time; `/peer data export` "
        "shows what it holds about you."
    )


def _erase_after(days: int) -> timedelta:
    return timedelta(days=days)


def _notice_period(days: int) -> timedelta:
    return min(NOTICE_BEFORE, timedelta(days=days))


class RetentionService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SafetyPort,
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[], None] | None = None,
        erasers: Sequence[PairEraser] = (),
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.audit = audit
        self.clock = clock
        self.on_change = on_change
        self.erasers = tuple(erasers)

    async def set_days(self, guild_id: int, moderator_id: int, days: int) -> int | None:
        """Keep ended pairs' spaces for ``days`` (0: keep them until the members or moderators delete them)."""
        if not 0 <= days <= MAX_DAYS:
            raise InvalidInput(f"Choose from 1 to {MAX_DAYS} days, or 0 to keep ended pairs' spaces.")
        async with self.audit.unit() as unit:
            (await SafetySettingsRepo(unit.session).get_or_new(guild_id)).retention_days = days or None
            await unit.record(guild_id, moderator_id, AuditAction.RETENTION, detail=f"days={days}")
        if self.on_change is not None:
            self.on_change()
        return days or None

    async def days(self, guild_id: int) -> int | None:
        async with self.sessions() as session:
            found = await SafetySettingsRepo(session).get(guild_id)
            return found.retention_days if found else None

    async def sweep(self) -> datetime | None:
        """Post the notices and delete the spaces that are due; return when the next step is due."""
        now = self.clock()
        async with self.sessions() as session:
            rows = await RetentionRepo(session).not_closed()
        upcoming: list[datetime] = []
        for pair_id, guild_id, space_id, ended_at, kept_days, notice_at in rows:
            if ended_at is None or not kept_days:
                continue
            days = int(kept_days)
            delete_at = as_utc(ended_at) + _erase_after(days)
            period = _notice_period(days)
            try:
                if notice_at is None:
                    if now < delete_at - period:
                        upcoming.append(delete_at - period)
                        continue
                    if await self._notify(guild_id, pair_id, space_id, max(delete_at, now + period), days):
                        upcoming.append(max(delete_at, now + period))
                    else:
                        upcoming.append(now + timedelta(minutes=5))
                    continue
                due = max(delete_at, as_utc(notice_at) + period)
                if now < due:
                    upcoming.append(due)
                    continue
                await self._close(guild_id, pair_id, space_id, days)
            except Exception:  # one pair Discord refuses must not hold up the others
                log.warning("retention step for pair %s failed; retrying later", pair_id, exc_info=True)
                upcoming.append(now + timedelta(minutes=5))
        return min(upcoming, default=None)

    async def _notify(self, guild_id: int, pair_id: int, space_id: int | None, delete_at: datetime, days: int) -> bool:
        if space_id is not None:
            try:
                await self.spaces.post_in_space(guild_id, space_id, retention_notice(delete_at, days))
            except Exception:
                if await self.spaces.space_exists(guild_id, space_id):
                    log.warning("retention notice for pair %s not posted; retrying later", pair_id, exc_info=True)
                    return False
                # the space is already gone: there is nobody left to tell
        async with self.sessions.begin() as session:
            retention = RetentionRepo(session)
            row = await retention.get(pair_id)
            if row is None:
                retention.add(PairRetention(pair_id=pair_id, notice_at=self.clock()))
            elif row.notice_at is None:
                row.notice_at = self.clock()
        log.info("retention notice posted for pair %s", pair_id)
        return True

    async def _close(self, guild_id: int, pair_id: int, space_id: int | None, days: int) -> None:
        if space_id is not None:
            await self.spaces.delete_space(guild_id, space_id)
        async with self.audit.unit() as unit:
            session = unit.session
            row = await RetentionRepo(session).get(pair_id)
            if row is None or row.closed_at is not None:
                return
            for erase in self.erasers:
                await erase(session, guild_id, pair_id)
            for report in await ReportRepo(session).closed_about(guild_id, pair_id):
                report.text, report.resolution_note = "", None
            row.closed_at = self.clock()
            await unit.record(
                guild_id, None, AuditAction.RETENTION_DELETED, pair_id=pair_id, detail=f"after {days} days"
            )
        log.info("retention: pair %s space and stored text deleted", pair_id)
