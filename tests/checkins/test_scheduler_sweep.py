"""The full sweep (reminders, mentor notices, quiet detection) comes on time however often pairs change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins.scheduler import CheckinScheduler
from bot.core.timers import Timers

T0 = datetime(2026, 3, 16, 12, tzinfo=UTC)


class CountingScheduler(CheckinScheduler):
    """The real scheduler's timing, with planning and sending replaced by a record of full passes."""

    full: list[datetime]

    async def tick(self, pair_ids: set[int] | None = None) -> int:
        if pair_ids is None:
            self.full.append(self.clock())
        return 0


async def test_changes_more_often_than_the_sweep_never_postpone_it(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = [T0]
    sched = CountingScheduler(
        sessions,
        dispatcher=None,  # type: ignore[arg-type]  (tick is replaced: nothing is sent)
        timers=Timers(clock=lambda: now[0]),
        clock=lambda: now[0],
        sweep_seconds=60,
    )
    sched.full = []
    await sched.run_due()  # the start pass: a full sweep
    for _ in range(30):  # a check-in, goal or agreement change every 50 s for 25 minutes
        now[0] += timedelta(seconds=50)
        sched.changed(1)
        next_run = await sched.run_due()
        assert next_run is not None and next_run <= now[0] + timedelta(seconds=60)
    gaps = [b - a for a, b in zip(sched.full, sched.full[1:], strict=False)]
    assert len(sched.full) >= 15  # the first run at or after each sweep time is a full pass (not one in all)
    assert max(gaps) <= timedelta(seconds=60 + 50)  # the sweep period plus at most one step of lateness
