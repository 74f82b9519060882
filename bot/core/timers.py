"""The one timer mechanism: a single APScheduler 3 ``AsyncIOScheduler`` for everything timed.

A feature registers a *pass* under a stable id: an async function that does what is due according to
its table and returns when it next has something to do (read from that table), or None. Nothing is
kept in memory that the table does not also hold:

- at start every pass runs once (catching up on whatever came due while the bot was down), so a
  restart neither loses nor repeats anything: the tables say what was done;
- after a change, the feature calls :meth:`Timer.changed` and the pass runs again at once, which
  re-derives its next run time;
- the next run is one APScheduler ``date`` job per feature (``replace_existing=True``, coalesced,
  never dropped as a misfire), at most ``max_delay`` seconds ahead, so a missed wake-up or a clock
  that moved is noticed soon.

A pass never overlaps itself: a wake-up that arrives while it runs (a change, or the job firing) is
remembered and runs one more pass right after. The job APScheduler runs only starts the pass and
returns, so its "maximum number of running instances" is never reached. Failures are logged and the
pass runs again after ``max_delay``. :meth:`Timers.aclose` stops the scheduler, cancels the passes
in flight and waits for them to finish their cleanup (rolling back their unit of work).

Times returned by a pass are the program's time (``clock``, injectable in tests); APScheduler runs on
the real clock, so a run is placed at "real now + (due - program now)".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db.base import utcnow

log = logging.getLogger(__name__)

Pass = Callable[[], Awaitable[datetime | None]]
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


class Timer:
    """One feature's job. Made by :meth:`Timers.register`."""

    def __init__(self, owner: Timers, job_id: str, run_pass: Pass, max_delay: float) -> None:
        self.id = job_id
        self._owner = owner
        self._run_pass = run_pass
        self.max_delay = max_delay
        self.passes = 0  # completed passes (failed ones included), for tests and diagnostics
        self.next_due: datetime | None = None  # what the last pass returned (program time)
        self.next_run: datetime | None = None  # when APScheduler runs it next (real time)
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._passed = asyncio.Condition()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def changed(self) -> None:
        """What the pass depends on changed: run it now (or right after the one under way)."""
        if not self._owner.started:
            return  # the pass runs at start anyway
        if self.running:
            self._again = True
        else:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=f"tandem:{self.id}")

    async def run_now(self, timeout: float | None = 10.0) -> None:
        """Run a pass that starts after this call, and wait until it has finished."""
        if not self._owner.started:
            raise RuntimeError(f"timer {self.id} is not started")
        async with self._passed:
            target = self.passes + (2 if self.running else 1)  # a pass under way may predate this call
            self.changed()
            await asyncio.wait_for(self._passed.wait_for(lambda: self.passes >= target), timeout)

    async def wait_passes(self, count: int, timeout: float | None = 10.0) -> None:
        """Wait until ``count`` passes have completed in all (tests, diagnostics)."""
        async with self._passed:
            await asyncio.wait_for(self._passed.wait_for(lambda: self.passes >= count), timeout)

    async def _fire(self) -> None:
        """What APScheduler runs: start the pass and return at once."""
        self.next_run = None
        self.changed()

    async def _loop(self) -> None:
        while True:
            self._again = False
            due: datetime | None = None
            failed = False
            try:
                due = await self._run_pass()
            except asyncio.CancelledError:
                log.info("timed job %s was interrupted by shutdown; the next start resumes it", self.id)
                raise
            except Exception:
                failed = True
                log.exception("timed job %s failed; it runs again within %s s", self.id, self.max_delay)
            async with self._passed:
                self.passes += 1
                self.next_due = due
                self._passed.notify_all()
            if not self._again:
                self._schedule(None if failed else due)
                return

    def _schedule(self, due: datetime | None) -> None:
        delay = self.max_delay
        if due is not None:
            delay = min(delay, max(0.0, (due - self._owner.clock()).total_seconds()))
        self.next_run = self._owner.schedule(self, datetime.now(UTC) + timedelta(seconds=delay))

    async def stop(self, timeout: float) -> None:
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task], timeout=timeout)


class Timers:
    """Owns the scheduler. Register every job first, then :meth:`start` once the bot is ready."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self._timers: dict[str, Timer] = {}
        self._scheduler: AsyncIOScheduler | None = None
        self.started = False

    def register(self, job_id: str, run_pass: Pass, *, max_delay: float = 60.0) -> Timer:
        """A job with a stable id; ``max_delay`` is the longest it waits between passes."""
        if job_id in self._timers:
            raise ValueError(f"a timer is already registered as {job_id}")
        if self.started:
            raise RuntimeError("register every timer before starting")
        timer = Timer(self, job_id, run_pass, max_delay)
        self._timers[job_id] = timer
        return timer

    def get(self, job_id: str) -> Timer:
        return self._timers[job_id]

    async def start(self) -> None:
        """Start the scheduler (needs the running loop) and run every pass once, waiting for them all:
        this derives each job from its table and catches up on what came due while the bot was down."""
        if self.started:
            return
        scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        scheduler.start()
        self._scheduler = scheduler
        self.started = True
        await asyncio.gather(*(timer.run_now(timeout=None) for timer in self._timers.values()))

    def schedule(self, timer: Timer, run_date: datetime) -> datetime | None:
        if self._scheduler is None or not self._scheduler.running:
            return None
        job = self._scheduler.add_job(timer._fire, "date", run_date=run_date, id=timer.id, replace_existing=True)
        next_run: datetime | None = job.next_run_time
        return next_run

    def job_ids(self) -> list[str]:
        return [] if self._scheduler is None else sorted(job.id for job in self._scheduler.get_jobs())

    async def aclose(self, timeout: float = 10.0) -> None:
        """Stop: no more runs; passes in flight are cancelled and awaited (their cleanup runs)."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        self.started = False
        await asyncio.gather(*(timer.stop(timeout) for timer in self._timers.values()))
