"""When check-ins run: one job on the bot's timers (``bot/core/timers.py``), derived from the tables.

The job ``tandem:checkins`` runs :meth:`CheckinScheduler.run_due` at start (catching up on what came due
while the bot was down), at the earliest future prompt of any active pair (``checkin_schedules.
next_due_at``) or retry of a delivery (``deliveries.next_attempt_at``), and at least every
``sweep_seconds`` (reminders, mentors' notices, goals). A service that changes what a pair's schedule
depends on calls :meth:`changed`; the job then plans and sends for that pair at once, and re-derives
its next run. Planning is idempotent (the ledger's unique key), so an extra run does no harm.

``plan_lock`` (a workaround, kept until transactions begin as writes): SQLite reads outside a write
transaction, so a planning pass that read a schedule before a service changed it would write its stale
result back. Planning and :class:`~bot.checkins.agreements.CheckinService`'s units of work take it, so
they never interleave in this process (a second process is covered by the ledger's unique key).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import ledger, reminders
from bot.checkins.dispatcher import Dispatcher
from bot.checkins.queries import CheckinRepo
from bot.core.timers import Timers
from bot.db.base import utcnow

log = logging.getLogger(__name__)

JOB_ID = "tandem:checkins"
PLAN_CHUNK = 200  # pairs a planning transaction: a few reads and one insert, a few tens of milliseconds


class CheckinScheduler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dispatcher: Dispatcher,
        timers: Timers,
        clock: Callable[[], datetime] = utcnow,
        sweep_seconds: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.clock = clock
        self.sweep = timedelta(seconds=sweep_seconds)
        self.timer = timers.register(JOB_ID, self.run_due, max_delay=sweep_seconds)
        self._tick_lock = asyncio.Lock()
        self.plan_lock = asyncio.Lock()  # shared with CheckinService (see the module docstring)
        self._pending_changes: set[int] = set()
        self._full_at: datetime | None = None  # when every pair is looked at next (None: at the next run)
        self.ticks = 0
        self._sweep_at: datetime | None = None
        self.last_plan_seconds = 0.0  # how long the last tick's planning took (diagnostics, benchmarks)

    def changed(self, pair_id: int) -> None:
        """A service changed what a pair's schedule depends on: plan that pair and re-derive the job."""
        self._pending_changes.add(pair_id)
        self.timer.changed()

    async def run_due(self) -> datetime | None:
        """The job: every pair when their time (or the sweep's) has come, else the pairs that changed.
        Returns when it should run next, from the tables."""
        changed, self._pending_changes = self._pending_changes, set()
        first = self._full_at is None
        try:
            if self._full_at is None or self.clock() >= self._full_at:
                self._sweep_at = self.clock() + self.sweep  # only a full pass moves the sweep on
                sent = await self.tick()
                if first and sent:
                    log.info("caught up on %d prompt(s) and reminder(s) at start", sent)
            elif changed:
                await self.tick(changed)
        except BaseException:
            self._pending_changes |= changed  # not lost: the next run plans them
            raise
        now = self.clock()
        async with self.sessions() as session:
            wanted = [
                await CheckinRepo(session).next_prompt_after(now),
                await ledger.next_retry_after(session, now),
                self._sweep_at or now + self.sweep,  # changes never postpone the sweep (reminders, quiet)
            ]
        self._full_at = min(t for t in wanted if t is not None)
        return self._full_at

    async def tick(self, pair_ids: set[int] | None = None) -> int:
        """Plan from the tables, then send what is due. Returns how many were sent.

        Planning commits in chunks, and sending starts after the first chunk, so a large batch goes out
        at the pacer's rate instead of waiting for every pair to be planned."""
        async with self._tick_lock:
            async with self.plan_lock, self.sessions.begin() as session:
                await reminders.plan(session, self.clock(), [])  # new pairs get their schedule
                ids = sorted(pair_ids) if pair_ids is not None else await CheckinRepo(session).active_pair_ids()
            sending: asyncio.Task[int] | None = None
            sent = 0
            started = time.perf_counter()
            try:
                for start in range(0, len(ids), PLAN_CHUNK):
                    async with self.plan_lock, self.sessions.begin() as session:
                        chunk = ids[start : start + PLAN_CHUNK]
                        await reminders.plan(session, self.clock(), chunk, new_pairs=False)
                    await asyncio.sleep(0)  # commands and the gateway get their turn between chunks
                    if sending is None or sending.done():
                        sent += sending.result() if sending is not None else 0
                        sending = asyncio.create_task(self.dispatcher.send_pending())
                self.last_plan_seconds = time.perf_counter() - started
                if sending is not None:
                    sent += await sending
            except asyncio.CancelledError:
                if sending is not None and not sending.done():  # never leave a send running unowned
                    sending.cancel()
                    await asyncio.wait([sending])
                raise
            sent += await self.dispatcher.send_pending()  # what was planned while the last send ran
            self.ticks += 1
            return sent
