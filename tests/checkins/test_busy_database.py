"""A busy database never costs an acknowledgement (issue 9): SQLite waits less than Discord's 3-second
window, a locked unit of work is retried a bounded number of times, and /goal add retried by a member
after a slow answer is one goal, not two."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.checkins.goals import DUPLICATE_WINDOW, GoalService
from bot.checkins.models import Goal
from bot.core.ports import SpacePort
from bot.db import engine as engine_module
from bot.db.crypto import Keyring, attach_keyring
from bot.db.engine import create_engine, create_session_factory, retry_when_locked

G, ALICE = 1, 10
ACK_WINDOW_MS = 3_000


def locked() -> OperationalError:
    return OperationalError("INSERT INTO goals …", {}, sqlite3.OperationalError("database is locked"))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def goals(sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> GoalService:
    return GoalService(sessions, cast(SpacePort, object()), clock=clock)  # adding a goal posts nothing


async def test_the_busy_timeout_is_shorter_than_the_acknowledgement_window(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        waited = (await conn.execute(text("PRAGMA busy_timeout"))).scalar_one()
    assert waited == engine_module.BUSY_TIMEOUT_MS < ACK_WINDOW_MS


async def test_a_locked_unit_is_retried_without_waiting_on_the_clock() -> None:
    calls: list[str] = []

    async def work() -> str:
        calls.append("try")
        if len(calls) < 3:
            raise locked()
        return "saved"

    assert await retry_when_locked(work, attempts=3, pause=0) == "saved"
    assert calls == ["try"] * 3


async def test_the_retry_is_bounded_and_other_errors_are_not_retried() -> None:
    calls: list[str] = []

    async def always_locked() -> None:
        calls.append("try")
        raise locked()

    with pytest.raises(OperationalError, match="database is locked"):
        await retry_when_locked(always_locked, attempts=3, pause=0)
    assert len(calls) == 3

    async def broken() -> None:
        calls.append("broken")
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: goals"))

    with pytest.raises(OperationalError, match="no such table"):
        await retry_when_locked(broken, attempts=3, pause=0)
    assert calls.count("broken") == 1


async def test_goal_add_waits_out_a_real_lock_and_saves_one_goal(
    engine: AsyncEngine, database_url: str, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection holds SQLite's write lock past the (shortened) busy timeout: the first attempt
    fails with "database is locked" and rolls back; the lock is released while the retry pauses."""
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        holder.execute("ROLLBACK")  # the other writer finishes while we pause

    monkeypatch.setattr(engine_module, "asyncio", SimpleNamespace(sleep=pause))
    busy = create_engine(database_url)
    attach_keyring(busy, keyring)
    try:
        service = goals(create_session_factory(busy), Clock())
        view = await service.add(G, ALICE, "Write to mum")
    finally:
        await busy.dispose()
        holder.close()
    assert len(pauses) == 1  # one locked attempt, then success
    async with create_session_factory(engine)() as session:
        rows = list(await session.scalars(select(Goal)))
    assert [(g.id, g.objective) for g in rows] == [(view.goal_id, "Write to mum")]


async def test_goal_add_retried_by_the_member_is_one_goal(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = Clock()
    service = goals(sessions, clock)
    first = await service.add(G, ALICE, "Finish my CV")
    clock.now += timedelta(seconds=20)  # the member saw no answer in time and sent it again
    again = await service.add(G, ALICE, "  Finish   my CV ")
    assert again == first
    other = await service.add(G, ALICE, "Call my sister")
    assert other.goal_id != first.goal_id
    clock.now += DUPLICATE_WINDOW + timedelta(seconds=1)  # much later, the same words are a new goal
    later = await service.add(G, ALICE, "Finish my CV")
    assert later.goal_id not in (first.goal_id, other.goal_id)
    rows = await count_goals(sessions)
    assert rows == 3


async def count_goals(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return len(list(await session.scalars(select(Goal))))
