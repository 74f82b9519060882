"""What moderators see and set of check-ins: each pair's health (from dates only, never content) and the
server's check-in settings. Part of :class:`~bot.checkins.service.CheckinService`. Imports no discord."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.audit import AuditAction, AuditLog
from bot.checkins import ledger
from bot.checkins.queries import CheckinRepo, aware
from bot.checkins.service_base import CheckinServiceBase
from bot.checkins.states import Health
from bot.core.errors import InvalidInput
from bot.pairing import GuildSettings, SettingsRepo

INACTIVE_AFTER = timedelta(days=30)
OVERDUE_AFTER = timedelta(days=2)


def parse_checkin_time(raw: str) -> int:
    """ "HH:MM" as minutes after midnight."""
    try:
        parsed = time.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("Give the default check-in time as HH:MM, for example 18:00.") from None
    return parsed.hour * 60 + parsed.minute


def pair_health(
    now: datetime,
    started: datetime | None,
    last_prompt: datetime | None,
    *,
    latest: datetime | None,
    slowest: datetime | None,
) -> Health:
    """From dates only. ``latest`` is the pair's most recent check-in by anyone, ``slowest`` the
    oldest of the members' latest check-ins (None when a member never checked in). Inactive: nobody
    for 30 days (counting from the start); overdue: the latest prompt is two days old and a member
    hasn't answered it; on track otherwise."""
    last_prompt = aware(last_prompt)
    since = latest or started
    if since is not None and now - since > INACTIVE_AFTER:
        return Health.INACTIVE
    if last_prompt is not None and now - last_prompt > OVERDUE_AFTER and (slowest is None or slowest < last_prompt):
        return Health.OVERDUE
    return Health.ON_TRACK


class ModeratorCommands(CheckinServiceBase):
    audit: AuditLog

    async def configure(
        self, guild_id: int, moderator_id: int, *, checkin_time: str | None, quiet_after: int | None
    ) -> GuildSettings:
        """Change the server's check-in settings; the audit entry commits in the same transaction."""
        minute = None if checkin_time is None else parse_checkin_time(checkin_time)
        if quiet_after is not None and not 1 <= quiet_after <= 10:
            raise InvalidInput("The number of missed check-ins before asking the partner must be 1 to 10.")
        changes = []
        async with self.plan_lock, self.audit.unit() as unit:
            settings = await SettingsRepo(unit.session).get_or_new(guild_id)
            if minute is not None:
                settings.checkin_minute = minute
                changes.append(f"default_time={minute // 60:02d}:{minute % 60:02d}")
            if quiet_after is not None:
                settings.quiet_after_missed = quiet_after
                changes.append(f"quiet_after={quiet_after}")
            await unit.session.flush()
            await unit.record(guild_id, moderator_id, AuditAction.CHECKINS_SET, detail=", ".join(changes) or "shown")
            return settings

    async def health(self, guild_id: int) -> dict[int, Health]:
        """On track, check-in overdue, or inactive, for each active pair: from dates only, never content."""
        now = self.clock()
        async with self._unit() as session:
            repo = CheckinRepo(session)
            pairs = await repo.active_pairs(guild_id)
            last = await repo.latest_checkins(guild_id)
            last_prompt = await ledger.last_prompts(session, guild_id)
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
