"""Members' goals: add, list, progress, done (with a celebration the member can turn off), edit, remove."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import wording as words
from bot.checkins.models import Goal, GoalUpdate
from bot.checkins.queries import CheckinRepo
from bot.checkins.states import GoalStatus
from bot.core.errors import InvalidInput, NotFound
from bot.core.ports import SpacePort
from bot.core.text import clean_line
from bot.db.base import utcnow
from bot.db.engine import retry_when_locked
from bot.pairing import PairRepo, PairStatus, ProfileRepo

log = logging.getLogger(__name__)

MAX_OBJECTIVE = 300
MAX_NOTE = 500
MAX_MILESTONES = 10
MAX_MILESTONE = 100
MAX_OPEN_GOALS = 25
# the same goal added again this soon is one goal: a member retrying after a slow answer, not a second goal
DUPLICATE_WINDOW = timedelta(minutes=10)
NOT_YOURS = "I couldn't find that goal among yours; /goal list shows your goals and their numbers."


@dataclass(frozen=True)
class GoalView:
    goal_id: int
    objective: str
    due_date: date | None
    milestones: tuple[str, ...]
    percent: int
    progress_note: str
    status: GoalStatus

    @classmethod
    def of(cls, g: Goal) -> GoalView:
        return cls(g.id, g.objective, g.due_date, tuple(g.milestones), g.percent, g.progress_note, g.status)


def clean_objective(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput("Please write what the goal is; it can't be empty.")
    if len(cleaned) > MAX_OBJECTIVE:
        raise InvalidInput(f"Please keep the goal to {MAX_OBJECTIVE} characters or fewer.")
    return cleaned


def parse_milestones(text: str | None) -> list[str]:
    if not text:
        return []
    items = [" ".join(part.split()) for part in text.split(";") if part.strip()]
    if len(items) > MAX_MILESTONES or any(len(i) > MAX_MILESTONE for i in items):
        raise InvalidInput(
            f"Please give at most {MAX_MILESTONES} milestones, separated by semicolons, "
            f"each up to {MAX_MILESTONE} characters."
        )
    return items


class GoalService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SpacePort,
        clock: Callable[[], datetime] = utcnow,
        on_change: Callable[[int], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.clock = clock
        self.on_change = on_change

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions.begin() as session:
            yield session

    async def _today(self, session: AsyncSession, guild_id: int, user_id: int) -> date:
        profile = await ProfileRepo(session).get(guild_id, user_id)
        zone = ZoneInfo(profile.timezone) if profile is not None else None
        return self.clock().astimezone(zone).date() if zone else self.clock().date()

    async def _due(self, session: AsyncSession, guild_id: int, user_id: int, raw: str | None) -> date | None:
        if raw is None or not raw.strip():
            return None
        try:
            due = date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput("Please give the due date as YYYY-MM-DD, for example 2026-12-31.") from None
        if due < await self._today(session, guild_id, user_id):
            raise InvalidInput("That due date is in the past; choose today or a later day.")
        return due

    async def _mine(self, session: AsyncSession, guild_id: int, user_id: int, goal_id: int) -> Goal:
        goal = await CheckinRepo(session).goal(goal_id)
        if goal is None or goal.guild_id != guild_id or goal.user_id != user_id or goal.status == GoalStatus.REMOVED:
            raise NotFound(NOT_YOURS)
        return goal

    def _changed(self, pair_id: int | None) -> None:
        if self.on_change is not None and pair_id is not None:
            self.on_change(pair_id)

    async def add(
        self, guild_id: int, user_id: int, objective: str, due: str | None = None, milestones: str | None = None
    ) -> GoalView:
        text = clean_objective(objective)
        steps = parse_milestones(milestones)
        view, pair_id = await retry_when_locked(lambda: self._add(guild_id, user_id, text, due, steps))
        self._changed(pair_id)
        return view

    async def _add(
        self, guild_id: int, user_id: int, text: str, due: str | None, steps: list[str]
    ) -> tuple[GoalView, int | None]:
        """One transaction; idempotent: the same open goal added within the window is returned, not doubled."""
        async with self._unit() as session:
            due_date = await self._due(session, guild_id, user_id, due)
            open_goals = await self._list(session, guild_id, user_id)
            now = self.clock()
            for existing in open_goals:
                if existing.objective == text and now - existing.created_at <= DUPLICATE_WINDOW:
                    return GoalView.of(existing), None
            if len(open_goals) >= MAX_OPEN_GOALS:
                raise InvalidInput(f"You have {MAX_OPEN_GOALS} open goals; finish or remove one first.")
            pairs = [
                p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status == PairStatus.ACTIVE
            ]
            goal = Goal(
                guild_id=guild_id,
                user_id=user_id,
                pair_id=pairs[0].id if pairs else None,
                objective=text,
                due_date=due_date,
                milestones=steps,
                percent=0,
                progress_note="",
                status=GoalStatus.OPEN,
                created_at=now,
                updated_at=now,
            )
            CheckinRepo(session).add(goal)
            await session.flush()
            return GoalView.of(goal), goal.pair_id

    @staticmethod
    async def _list(session: AsyncSession, guild_id: int, user_id: int) -> list[Goal]:
        return await CheckinRepo(session).goals_of(guild_id, user_id, (GoalStatus.OPEN,))

    async def all_of(self, guild_id: int, user_id: int, include_done: bool = True) -> list[GoalView]:
        wanted = (GoalStatus.OPEN, GoalStatus.DONE) if include_done else (GoalStatus.OPEN,)
        async with self._unit() as session:
            return [GoalView.of(g) for g in await CheckinRepo(session).goals_of(guild_id, user_id, wanted)]

    async def progress(self, guild_id: int, user_id: int, goal_id: int, percent: int, note: str = "") -> GoalView:
        if not 0 <= percent <= 100:
            raise InvalidInput("Progress is a percentage: a whole number from 0 to 100.")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"Please keep the progress note to {MAX_NOTE} characters or fewer.")
        async with self._unit() as session:
            goal = await self._mine(session, guild_id, user_id, goal_id)
            if goal.status != GoalStatus.OPEN:
                raise InvalidInput("That goal is already done; add a new one with /goal add.")
            goal.percent, goal.progress_note = percent, note.strip()
            CheckinRepo(session).add(GoalUpdate(goal_id=goal.id, percent=percent, at=self.clock()))
            return GoalView.of(goal)

    async def done(self, guild_id: int, user_id: int, goal_id: int) -> tuple[GoalView, bool]:
        """Mark a goal done; the pair space celebrates unless the member turned celebrations off."""
        async with self._unit() as session:
            goal = await self._mine(session, guild_id, user_id, goal_id)
            if goal.status == GoalStatus.DONE:
                raise InvalidInput("That goal is already marked done. Well done again!")
            goal.status, goal.percent, goal.done_at = GoalStatus.DONE, 100, self.clock()
            CheckinRepo(session).add(GoalUpdate(goal_id=goal.id, percent=100, at=self.clock()))
            profile = await ProfileRepo(session).get(guild_id, user_id)
            celebrate = profile is None or profile.celebrate_goals
            pairs = [
                p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status == PairStatus.ACTIVE
            ]
            space_id = pairs[0].space_id if pairs else None
            view = GoalView.of(goal)
        celebrated = False
        if celebrate and space_id is not None:
            try:
                await self.spaces.post_in_space(guild_id, space_id, words.goal_done(user_id, goal_id))
                celebrated = True
            except Exception:
                log.warning("the celebration for a goal was not posted", exc_info=True)
        return view, celebrated

    async def edit(
        self,
        guild_id: int,
        user_id: int,
        goal_id: int,
        objective: str | None = None,
        due: str | None = None,
        milestones: str | None = None,
    ) -> GoalView:
        text = clean_objective(objective) if objective is not None else None
        steps = parse_milestones(milestones) if milestones is not None else None
        async with self._unit() as session:
            goal = await self._mine(session, guild_id, user_id, goal_id)
            due_date = await self._due(session, guild_id, user_id, due) if due is not None else None
            if text is not None:
                goal.objective = text
            if due_date is not None:
                goal.due_date = due_date
            if steps is not None:
                goal.milestones = steps
            goal.updated_at = self.clock()
            view, pair_id = GoalView.of(goal), goal.pair_id
        self._changed(pair_id)
        return view

    async def remove(self, guild_id: int, user_id: int, goal_id: int) -> None:
        async with self._unit() as session:
            goal = await self._mine(session, guild_id, user_id, goal_id)
            goal.status = GoalStatus.REMOVED

    async def set_celebrate(self, guild_id: int, user_id: int, on: bool) -> None:
        async with self._unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None:
                raise NotFound("You haven't joined the peer program yet: use /peer join to opt in.")
            profile.celebrate_goals = on

    async def choices(self, guild_id: int, user_id: int, typed: str) -> list[tuple[str, int]]:
        """Autocomplete: the member's own open goals, matching what they typed."""
        async with self._unit() as session:
            goals = await self._list(session, guild_id, user_id)
        needle = typed.strip().casefold().lstrip("#")
        out = []
        for g in goals:
            label = f"#{g.id} {clean_line(g.objective)}"
            if not needle or needle in label.casefold():
                out.append((label[:100], g.id))
        return out[:25]
