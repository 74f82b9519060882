"""When a member can be prompted: holidays (pause and resume), daytime hours, and the partner's choice
when a member went quiet. Part of :class:`~bot.checkins.service.CheckinService`. Imports no discord."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.checkins.reminders import QUIET_PAUSE
from bot.checkins.service_base import CheckinServiceBase
from bot.checkins.states import QuietChoice
from bot.core.errors import InvalidInput
from bot.pairing import PairRepo

MAX_PAUSE = timedelta(days=180)


class AvailabilityCommands(CheckinServiceBase):
    async def pause(self, guild_id: int, user_id: int, until: str) -> datetime:
        try:
            day = date.fromisoformat(until.strip())
        except ValueError:
            raise InvalidInput("Please give the date as YYYY-MM-DD, for example 2026-08-31.") from None
        async with self._unit() as session:
            profile = await self._profile(session, guild_id, user_id)
            zone = ZoneInfo(profile.timezone)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
            now = self.clock()
            if end <= now:
                raise InvalidInput("That date has already passed; choose a day from today on.")
            if end - now > MAX_PAUSE:
                raise InvalidInput("You can pause check-ins for up to six months at a time.")
            profile.checkins_paused_until = end
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
        for pair in pairs:
            self._changed(pair.id)
        return end

    async def resume(self, guild_id: int, user_id: int) -> bool:
        async with self._unit() as session:
            profile = await self._profile(session, guild_id, user_id)
            was = profile.checkins_paused_until is not None and profile.checkins_paused_until > self.clock()
            profile.checkins_paused_until = None
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
        for pair in pairs:
            self._changed(pair.id)
        return was

    async def set_hours(self, guild_id: int, user_id: int, start: int, end: int) -> None:
        if not (0 <= start <= 23 and 1 <= end <= 24) or start == end:
            raise InvalidInput("Give your daytime as two different hours: start 0-23 and end 1-24.")
        async with self._unit() as session:
            profile = await self._profile(session, guild_id, user_id)
            profile.day_start, profile.day_end = start, end
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
        for pair in pairs:
            self._changed(pair.id)

    async def quiet_choice(self, guild_id: int, user_id: int, pair_id: int, choice: str) -> QuietChoice:
        """The partner of a quiet member chooses: keep waiting, pause, or be rematched (done by the caller)."""
        try:
            chosen = QuietChoice(choice)
        except ValueError:
            raise InvalidInput("That choice isn't one I know; please use the buttons.") from None
        async with self._unit() as session:
            pair = await self._member_pair(session, guild_id, user_id, pair_id)
            if chosen == QuietChoice.PAUSE:
                profile = await self._profile(session, guild_id, user_id)
                profile.checkins_paused_until = self.clock() + QUIET_PAUSE
            self._changed(pair.id)
        return chosen
