"""Moderators are reminded of report cases open for more than 48 hours (issue 10).

A pass on the one timer mechanism: for each server with a log channel and such cases, one status line
("N cases open for more than 48 hours": no content, no names) at most once a day. Everything comes from
the reports table and ``safety_settings.reminded_at``, which is written before the line is posted (and
put back if the post fails), so a restart neither repeats nor loses a reminder. Reports that went to the
server owner because they are about a moderator are not counted: the line would tell moderators they exist.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import utcnow
from bot.pairing import SettingsRepo
from bot.safety.queries import ReportRepo, SafetySettingsRepo

log = logging.getLogger(__name__)

OPEN_FOR = timedelta(hours=48)
EVERY = timedelta(days=1)
Post = Callable[[int, str], Awaitable[None]]


def reminder_line(count: int) -> str:
    cases = "case" if count == 1 else "cases"
    return (
        f"{count} {cases} open for more than 48 hours. "
        "See `/peeradmin safety reports` and close them with `/peeradmin safety resolve`."
    )


class OpenCaseReminders:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], post: Post, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions, self.post, self.clock = sessions, post, clock

    async def remind(self) -> datetime | None:
        """Post what is due; return when the next reminder could be due (a case turning 48 hours old,
        or a server's day since its last reminder), or None when nothing is open."""
        now = self.clock()
        async with self.sessions() as session:
            opened = await ReportRepo(session).open_since()
        stale = Counter(g for g, at in opened if at <= now - OPEN_FOR)
        upcoming = [at + OPEN_FOR for _, at in opened if at > now - OPEN_FOR]
        for guild_id, count in sorted(stale.items()):
            last = await self._remind_guild(guild_id, count, now)
            if last is not None:
                upcoming.append(last + EVERY)
        return min(upcoming, default=None)

    async def _remind_guild(self, guild_id: int, count: int, now: datetime) -> datetime | None:
        """Remind one server if a day has passed; returns when it was last reminded."""
        async with self.sessions.begin() as session:
            settings = await SettingsRepo(session).get(guild_id)
            channel_id = settings.log_channel_id if settings is not None else None
            if channel_id is None:
                return None
            row = await SafetySettingsRepo(session).get_or_new(guild_id)
            before = row.reminded_at
            if before is not None and now - before < EVERY:
                return before
            row.reminded_at = now  # recorded first: a restart after the post never repeats it
        try:
            await self.post(channel_id, reminder_line(count))
        except Exception:
            log.exception("could not post the open-cases reminder in guild %s; tried again later", guild_id)
            async with self.sessions.begin() as session:
                (await SafetySettingsRepo(session).get_or_new(guild_id)).reminded_at = before
            return None
        return now
