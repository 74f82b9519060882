"""APScheduler wiring. The tables are the source of truth: jobs are derived from them at start and
after every change, with stable ids and ``replace_existing=True``; no APScheduler job store is used.

Two kinds of job: ``tandem:sweep`` runs every ``sweep_seconds`` (reminders, retries, catch-up), and
``tandem:checkin:<pair id>`` wakes up at a pair's next due time. Both run :meth:`CheckinScheduler.tick`,
which plans from the tables and sends what is due; it is idempotent, so an extra run does no harm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import reminders
from bot.checkins.dispatcher import Dispatcher
from bot.checkins.models import CheckinSchedule
from bot.db.base import utcnow
from bot.pairing.models import Pair

log = logging.getLogger(__name__)

SWEEP_ID = "tandem:sweep"
PLAN_CHUNK = 10


def pair_job_id(pair_id: int) -> str:
    return f"tandem:checkin:{pair_id}"


class CheckinScheduler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dispatcher: Dispatcher,
        clock: Callable[[], datetime] = utcnow,
        sweep_seconds: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self._tick_lock = asyncio.Lock()
        self.plan_lock = asyncio.Lock()  # shared with the services that change schedules (see CheckinService)
        self._pending_changes: set[int] = set()
        self._running: set[asyncio.Task[Any]] = set()  # job runs in flight, awaited on close
        self.ticks = 0

    async def start(self) -> None:
        """Start in ``setup_hook`` (APScheduler needs the running loop), UTC, jobs from the tables."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.start()
        self.scheduler = scheduler
        scheduler.add_job(
            self._job,
            "interval",
            seconds=self.sweep_seconds,
            id=SWEEP_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        await self.rebuild()

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # cancels the runs in flight
        self.scheduler = None

    async def aclose(self, timeout: float = 10.0) -> None:
        """Stop, and let the cancelled runs finish their cleanup (rolling back their unit of work)
        before the caller disposes of the database engine."""
        running = [t for t in self._running if not t.done()]
        self.stop()
        if running:
            await asyncio.wait(running, timeout=timeout)

    async def rebuild(self, pair_ids: set[int] | None = None) -> int:
        """(Re)derive the pair jobs from ``checkin_schedules``. Returns how many jobs exist for them."""
        if self.scheduler is None:
            return 0
        async with self.sessions() as session:
            stmt = select(CheckinSchedule.pair_id, CheckinSchedule.next_due_at, Pair.status).join(
                Pair, Pair.id == CheckinSchedule.pair_id
            )
            if pair_ids is not None:
                stmt = stmt.where(CheckinSchedule.pair_id.in_(pair_ids))
            rows = (await session.execute(stmt)).all()
        count = 0
        for pair_id, next_due_at, status in rows:
            job_id = pair_job_id(pair_id)
            if status != "active" or next_due_at is None:
                if self.scheduler.get_job(job_id) is not None:
                    self.scheduler.remove_job(job_id)
                continue
            self.scheduler.add_job(
                self._wake,
                "date",
                run_date=next_due_at,
                id=job_id,
                replace_existing=True,
                misfire_grace_time=None,  # a wake-up missed while down still runs (tick is idempotent)
                coalesce=True,
            )
            count += 1
        return count

    def _wake(self) -> None:
        """A pair's time has come: one run for everything due (many pairs due at once coalesce)."""
        if self.scheduler is not None:
            self.scheduler.add_job(self._job, id="tandem:wake", replace_existing=True, misfire_grace_time=None)

    def changed(self, pair_id: int) -> None:
        """A service changed what a pair's schedule depends on: re-derive its job soon."""
        self._pending_changes.add(pair_id)
        if self.scheduler is not None:
            self.scheduler.add_job(
                self._apply_changes, id="tandem:changes", replace_existing=True, misfire_grace_time=None
            )

    async def _apply_changes(self) -> None:
        changed, self._pending_changes = self._pending_changes, set()
        if changed:
            await self._job(changed)

    async def _job(self, pair_ids: set[int] | None = None) -> None:
        """What the jobs run. Stopping mid-batch is safe (the ledger resumes it at the next start), so
        a cancellation at shutdown is not an error."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        try:
            await self.tick(pair_ids)
        except asyncio.CancelledError:
            log.info("a check-in run was interrupted by shutdown; the next start resumes it")

    async def tick(self, pair_ids: set[int] | None = None) -> int:
        """Plan from the tables, then send what is due. Returns how many were sent.

        Planning commits in chunks, and sending starts after the first chunk, so a large batch goes out
        at the pacer's rate instead of waiting for every pair to be planned."""
        async with self._tick_lock:
            async with self.plan_lock, self.sessions.begin() as session:
                await reminders.plan(session, self.clock(), [])  # new pairs get their schedule
                ids = sorted(pair_ids) if pair_ids is not None else await reminders.active_pair_ids(session)
            sending: asyncio.Task[int] | None = None
            sent = 0
            try:
                for start in range(0, len(ids), PLAN_CHUNK):
                    async with self.plan_lock, self.sessions.begin() as session:
                        await reminders.plan(session, self.clock(), ids[start : start + PLAN_CHUNK])
                    if sending is None or sending.done():
                        sent += sending.result() if sending is not None else 0
                        sending = asyncio.create_task(self.dispatcher.send_pending())
                if sending is not None:
                    sent += await sending
            except asyncio.CancelledError:
                if sending is not None and not sending.done():  # never leave a send running unowned
                    sending.cancel()
                    await asyncio.wait([sending])
                raise
            sent += await self.dispatcher.send_pending()  # what was planned while the last send ran
            await self.rebuild(pair_ids)
            self.ticks += 1
            return sent
