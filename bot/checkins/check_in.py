"""Recording a member's check-in, and their history for the chart. Part of
:class:`~bot.checkins.service.CheckinService`. Imports no discord."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.checkins import wording as words
from bot.checkins.models import CheckIn
from bot.checkins.queries import CheckinRepo
from bot.checkins.service_base import CheckinServiceBase, check_length
from bot.core.errors import InvalidInput
from bot.db.engine import retry_when_locked

log = logging.getLogger(__name__)

YES = ("yes", "y", "share", "true", "1")
NO = ("", "no", "n", "private", "false", "0")


@dataclass(frozen=True)
class CheckinSaved:
    pair_id: int
    shared: bool
    posted: bool = True  # False when the pair space could not be told (the check-in is saved all the same)


@dataclass(frozen=True)
class History:
    moods: tuple[tuple[datetime, int], ...]
    progress: tuple[tuple[datetime, float], ...]  # mean goal percentage after each update


def parse_mood(raw: str) -> int:
    cleaned = raw.strip()
    if cleaned not in {"1", "2", "3", "4", "5"}:
        raise InvalidInput("Please rate how you are with a whole number from 1 (very low) to 5 (great).")
    return int(cleaned)


def parse_yes_no(raw: str) -> bool:
    cleaned = raw.strip().casefold()
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise InvalidInput('Please answer "yes" or "no" to sharing your note with your partner.')


class CheckinCommands(CheckinServiceBase):
    async def check_in(
        self,
        guild_id: int,
        user_id: int,
        pair_id: int | None,
        *,
        mood: str,
        progress: str,
        note: str,
        share: str,
    ) -> CheckinSaved:
        """Record a check-in; the pair space says that the member checked in, and shows the note only
        when the member chose to share it."""
        mood_value = parse_mood(mood)
        progress_text = check_length("progress", progress)
        note_text = check_length("note", note)
        shared = parse_yes_no(share) and bool(note_text)

        async def store() -> tuple[int | None, int]:  # one transaction: safe to run again
            async with self._unit() as session:
                pair = await self._member_pair(session, guild_id, user_id, pair_id)
                CheckinRepo(session).add(
                    CheckIn(
                        guild_id=guild_id,
                        pair_id=pair.id,
                        user_id=user_id,
                        mood=mood_value,
                        progress=progress_text,
                        note=note_text,
                        share_note=shared,
                        created_at=self.clock(),
                    )
                )
                return pair.space_id, pair.id

        space_id, saved_pair = await retry_when_locked(store)  # a check-in is never lost to a busy database
        log.info("check-in recorded in pair %s", saved_pair)
        posted = True
        if space_id is not None:
            try:
                await self.spaces.post_in_space(
                    guild_id, space_id, words.checked_in(user_id, note_text if shared else None)
                )
            except Exception:
                posted = False
                log.warning("the check-in note for pair %s was not posted", saved_pair, exc_info=True)
        return CheckinSaved(saved_pair, shared, posted)

    async def history(self, guild_id: int, user_id: int) -> History:
        async with self._unit() as session:
            repo = CheckinRepo(session)
            moods = await repo.moods(guild_id, user_id)
            updates = await repo.progress_steps(guild_id, user_id)
        latest: dict[int, int] = {}
        progress = []
        for at, goal_id, percent in updates:
            latest[goal_id] = percent
            progress.append((at, sum(latest.values()) / len(latest)))
        return History(tuple(moods), tuple(progress))
