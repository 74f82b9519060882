"""Small self-rescheduling background jobs whose schedule lives in the database.

A :class:`TimedJob` runs one *pass* (e.g. "end every break-glass grant that is due"); the pass returns
when it next has something to do, read from its table, and the job sleeps until then (at most
``max_sleep`` seconds, so a changed clock or a missed wake-up is noticed soon). Nothing is kept in
memory that the database does not also hold: the first pass at start finds whatever a previous run
left due, so a restart neither loses nor extends anything. ``wake()`` runs a pass at once (after a
change, or from a test that moved the clock).

Kept apart from the APScheduler wiring on purpose: a job here could become an APScheduler job with a
stable id that calls the same pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

log = logging.getLogger(__name__)

Pass = Callable[[], Awaitable[datetime | None]]


class TimedJob:
    def __init__(self, name: str, run_pass: Pass, clock: Callable[[], datetime], *, max_sleep: float = 60.0) -> None:
        self.name = name
        self._run_pass = run_pass
        self._clock = clock
        self._max_sleep = max_sleep
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.passes = 0  # completed passes, for tests and diagnostics
        self._passed = asyncio.Condition()
        self._in_pass = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=f"tandem:{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def run_now(self, timeout: float = 10.0) -> None:
        """Wake the job and wait until a pass that started after this call has finished."""
        async with self._passed:
            target = self.passes + (2 if self._in_pass else 1)  # a pass under way may predate this call
            self.wake()
            await asyncio.wait_for(self._passed.wait_for(lambda: self.passes >= target), timeout)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            next_due: datetime | None = None
            self._in_pass = True
            try:
                next_due = await self._run_pass()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job %s failed; it runs again shortly", self.name)
            async with self._passed:
                self._in_pass = False
                self.passes += 1
                self._passed.notify_all()
            delay = self._max_sleep
            if next_due is not None:
                delay = min(delay, max(0.0, (next_due - self._clock()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
