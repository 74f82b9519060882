"""The one timer mechanism: jobs derived from a table at start and after every change, never lost or
repeated across a restart, never overlapping, failures logged. The program's clock is injected and
fixed; the only real waiting is for an event (a pass finishing), never a race with the wall clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import DateTime, Integer, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.core.timers import Timer, Timers

T0 = datetime(2031, 5, 6, 12, 0, tzinfo=UTC)  # the program's time: nothing here depends on today's date
JOB = "test:reminders"


class Base(DeclarativeBase):
    pass


class Reminder(Base):
    """A stand-in for a feature's table: something due at a time, done once."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(Integer, default=0)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Feature:
    """What a feature registers: a pass that does what is due and returns when it next has work."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    running: int = 0
    most_at_once: int = 0
    fail_next: bool = False
    gate: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    cleaned_up: bool = False

    async def run_pass(self) -> datetime | None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            self.entered.set()
            if self.gate is not None:
                await self.gate.wait()
            if self.fail_next:
                self.fail_next = False
                raise RuntimeError("the table is locked")
            now = self.clock()
            async with self.sessions.begin() as session:
                for row in await session.scalars(select(Reminder).where(Reminder.runs == 0)):
                    if aware(row.due_at) <= now:
                        row.runs += 1
                nxt = await session.scalar(select(func.min(Reminder.due_at)).where(Reminder.runs == 0))
            return None if nxt is None else aware(nxt)
        finally:
            self.running -= 1
            self.cleaned_up = True


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'timers.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def add(sessions: async_sessionmaker[AsyncSession], *dues: datetime) -> None:
    async with sessions.begin() as session:
        session.add_all(Reminder(due_at=d) for d in dues)


async def runs(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    async with sessions() as session:
        return list(await session.scalars(select(Reminder.runs).order_by(Reminder.id)))


def started(clock: Clock, feature: Feature, max_delay: float = 3600) -> tuple[Timers, Timer]:
    timers = Timers(clock)
    return timers, timers.register(JOB, feature.run_pass, max_delay=max_delay)


def assert_runs_in(timer: Timer, before: datetime, after: datetime, delay: timedelta) -> None:
    assert timer.next_run is not None
    assert before + delay - timedelta(seconds=1) <= timer.next_run <= after + delay + timedelta(seconds=1)


async def test_a_job_is_derived_from_its_table_at_start(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = Clock()
    await add(sessions, T0 + timedelta(hours=1), T0 - timedelta(minutes=5))
    feature = Feature(sessions, clock)
    timers, timer = started(clock, feature)
    before = datetime.now(UTC)
    await timers.start()  # the first pass runs, and is waited for
    after = datetime.now(UTC)
    try:
        assert timer.passes == 1
        assert await runs(sessions) == [0, 1]  # what was already due is done at start
        assert timer.next_due == T0 + timedelta(hours=1)
        assert timers.job_ids() == [JOB]  # one job, under its stable id
        assert_runs_in(timer, before, after, timedelta(hours=1))

        clock.now += timedelta(hours=2)
        await timer.run_now()
        assert await runs(sessions) == [1, 1]
        assert timer.next_due is None
    finally:
        await timers.aclose()


async def test_a_change_re_derives_the_job(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = Clock()
    feature = Feature(sessions, clock)
    timers, timer = started(clock, feature, max_delay=600)
    await timers.start()
    try:
        assert timer.next_due is None  # nothing in the table: it only looks again after max_delay
        await add(sessions, T0 + timedelta(minutes=3))
        before = datetime.now(UTC)
        timer.changed()
        await timer.wait_passes(2)
        after = datetime.now(UTC)
        assert timer.next_due == T0 + timedelta(minutes=3)
        assert_runs_in(timer, before, after, timedelta(minutes=3))
        assert timers.job_ids() == [JOB]  # replaced, not added
        await add(sessions, T0 + timedelta(days=2))
        timer.changed()
        await timer.wait_passes(3)
        assert timer.next_due == T0 + timedelta(minutes=3)  # still the earliest
        assert timer.next_run is not None and timer.next_run <= datetime.now(UTC) + timedelta(minutes=3)
        assert await runs(sessions) == [0, 0]
    finally:
        await timers.aclose()


async def test_a_restart_neither_loses_nor_repeats(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = Clock()
    await add(sessions, T0 + timedelta(hours=1), T0 + timedelta(hours=3))
    first = Feature(sessions, clock)
    timers, _timer = started(clock, first)
    await timers.start()
    await timers.aclose()
    assert await runs(sessions) == [0, 0]

    clock.now += timedelta(hours=2)  # the first came due while the bot was down
    second = Feature(sessions, clock)
    timers, timer = started(clock, second)
    await timers.start()
    try:
        assert await runs(sessions) == [1, 0]  # not lost
        assert timer.next_due == T0 + timedelta(hours=3)
        await timer.run_now()
        await timer.run_now()
        assert await runs(sessions) == [1, 0]  # not repeated
    finally:
        await timers.aclose()


async def test_a_failing_pass_is_logged_and_runs_again(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    await add(sessions, T0)
    feature = Feature(sessions, clock, fail_next=True)
    timers, timer = started(clock, feature, max_delay=120)
    before = datetime.now(UTC)
    with caplog.at_level(logging.ERROR, logger="bot.core.timers"):
        await timers.start()
    after = datetime.now(UTC)
    try:
        assert f"timed job {JOB} failed" in caplog.text
        assert timer.passes == 1 and await runs(sessions) == [0]
        assert_runs_in(timer, before, after, timedelta(seconds=120))  # retried after max_delay, not in a loop
        await timer.run_now()
        assert await runs(sessions) == [1]
    finally:
        await timers.aclose()


async def test_changes_during_a_pass_run_one_more_pass_never_two_at_once(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    feature = Feature(sessions, clock)
    timers, timer = started(clock, feature)
    await timers.start()
    try:
        feature.gate, feature.entered = asyncio.Event(), asyncio.Event()
        timer.changed()
        await feature.entered.wait()  # the second pass is under way
        await add(sessions, T0 - timedelta(seconds=1))
        with caplog.at_level(logging.WARNING):
            for _ in range(3):
                timer.changed()  # a change arriving mid-pass is remembered, not lost
            feature.gate.set()
            await timer.wait_passes(3)
            await timer.run_now()
        assert await runs(sessions) == [1]
        assert timer.passes == 4  # start, the pass under way, one for the three changes, run_now
        assert feature.most_at_once == 1
        assert "maximum number of running instances" not in caplog.text
    finally:
        await timers.aclose()


async def test_the_job_runs_by_itself_when_due(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = Clock()
    await add(sessions, T0 + timedelta(milliseconds=50))
    feature = Feature(sessions, clock)
    timers, timer = started(clock, feature)
    await timers.start()
    assert timer.passes == 1 and timer.next_due == T0 + timedelta(milliseconds=50)
    clock.now += timedelta(seconds=1)  # before APScheduler fires (no await since start returned)
    try:
        await timer.wait_passes(2)  # fired by the scheduler: nobody called changed() or run_now()
        assert await runs(sessions) == [1]
    finally:
        await timers.aclose()


async def test_shutdown_cancels_and_awaits_the_pass_in_flight(
    sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    feature = Feature(sessions, clock)
    timers, timer = started(clock, feature)
    await timers.start()
    feature.gate, feature.entered, feature.cleaned_up = asyncio.Event(), asyncio.Event(), False
    timer.changed()
    await feature.entered.wait()
    with caplog.at_level(logging.INFO, logger="bot.core.timers"):
        await timers.aclose()
    assert feature.cleaned_up and feature.running == 0  # its cleanup ran before aclose returned
    assert "interrupted by shutdown" in caplog.text
    assert timers.job_ids() == []
    timer.changed()  # a service changing something after shutdown starts nothing
    assert not timer.running
    with pytest.raises(RuntimeError, match="not started"):
        await timer.run_now()


async def test_ids_are_unique_and_registered_before_start(sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = Clock()
    feature = Feature(sessions, clock)
    timers, _timer = started(clock, feature)
    with pytest.raises(ValueError, match="already registered"):
        timers.register(JOB, feature.run_pass)
    await timers.start()
    try:
        with pytest.raises(RuntimeError, match="before starting"):
            timers.register("test:late", feature.run_pass)
    finally:
        await timers.aclose()
