"""The pair agreement: objectives, timeline, check-in frequency and boundaries; its frequency sets the
pair's check-in schedule. Part of :class:`~bot.checkins.service.CheckinService`. Imports no discord."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.checkins import wording as words
from bot.checkins.models import CheckinSchedule, PairAgreement
from bot.checkins.queries import CheckinRepo
from bot.checkins.reminders import DEFAULT_TZ, first_anchor, schedule_of
from bot.checkins.schedule import describe, next_due, parse_frequency
from bot.checkins.service_base import CheckinServiceBase, check_length
from bot.checkins.states import Frequency
from bot.core.errors import InvalidInput
from bot.db.engine import retry_when_locked

log = logging.getLogger(__name__)

FIRST_AFTER = {Frequency.BIWEEKLY: timedelta(days=14), Frequency.MONTHLY: timedelta(days=30)}


@dataclass(frozen=True)
class AgreementView:
    pair_id: int
    objectives: str
    timeline: str
    frequency: str
    boundaries: str


@dataclass(frozen=True)
class AgreementSaved:
    pair_id: int
    schedule_text: str
    next_due: datetime


class AgreementCommands(CheckinServiceBase):
    async def agreement(self, guild_id: int, user_id: int, pair_id: int | None = None) -> AgreementView:
        async with self._unit() as session:
            pair = await self._member_pair(session, guild_id, user_id, pair_id)
            found = await CheckinRepo(session).agreement(pair.id)
            if found is None:
                return AgreementView(pair.id, "", "", "weekly", "")
            return AgreementView(pair.id, found.objectives, found.timeline, found.frequency_text, found.boundaries)

    async def save_agreement(
        self,
        guild_id: int,
        user_id: int,
        pair_id: int,
        *,
        objectives: str,
        timeline: str,
        frequency: str,
        boundaries: str,
    ) -> AgreementSaved:
        """Either member records or revises the agreement; its frequency sets the check-in schedule."""
        fields = {
            "objectives": check_length("objectives", objectives),
            "timeline": check_length("timeline", timeline),
            "frequency": check_length("frequency", frequency),
            "boundaries": check_length("boundaries", boundaries),
        }
        try:
            kind, weekday = parse_frequency(fields["frequency"])
        except ValueError:
            raise InvalidInput(
                'For how often to check in, write "weekly", "every 2 weeks", "monthly", or a day like "Thursday".'
            ) from None
        now = self.clock()

        async def store() -> tuple[AgreementSaved, int | None]:  # one transaction: safe to run again
            async with self._unit() as session:
                repo = CheckinRepo(session)
                pair = await self._member_pair(session, guild_id, user_id, pair_id)
                agreement = await repo.agreement(pair.id)
                if agreement is None:
                    agreement = PairAgreement(pair_id=pair.id, updated_by=user_id)
                    repo.add(agreement)
                agreement.objectives, agreement.timeline = fields["objectives"], fields["timeline"]
                agreement.frequency_text, agreement.boundaries = fields["frequency"] or "weekly", fields["boundaries"]
                agreement.updated_by = user_id
                profiles = await repo.profiles_of(pair)
                zone = profiles[0].timezone if profiles else DEFAULT_TZ
                row = await repo.schedule(pair.id)
                if row is None:
                    row = CheckinSchedule(pair_id=pair.id, guild_id=guild_id)
                    repo.add(row)
                if row.anchor is None or (row.frequency, row.weekday) != (kind, weekday):
                    row.frequency, row.weekday = kind, weekday
                    # the first check-in of the new rhythm comes one period from now (a weekday: its next one)
                    start = now.astimezone(ZoneInfo(zone)).date()
                    if kind == Frequency.WEEKDAY:
                        row.anchor = start + timedelta(days=1)
                    elif kind in FIRST_AFTER:
                        row.anchor = start + FIRST_AFTER[kind]
                    else:
                        row.anchor = first_anchor(now, zone).date()
                settings = await repo.settings(guild_id)
                schedule = schedule_of(row, profiles, settings.checkin_minute if settings else 18 * 60)
                row.next_due_at = next_due(schedule, now)
                saved = AgreementSaved(pair.id, describe(kind, weekday), row.next_due_at)
                return saved, pair.space_id

        saved, space_id = await retry_when_locked(store)  # an agreement is never lost to a busy database
        self._changed(saved.pair_id)
        if space_id is not None:
            try:
                await self.spaces.post_in_space(
                    guild_id, space_id, words.agreement_saved(user_id, saved.schedule_text, saved.next_due)
                )
            except Exception:
                log.warning("the agreement note for pair %s was not posted", saved.pair_id, exc_info=True)
        return saved
