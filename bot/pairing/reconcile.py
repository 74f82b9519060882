"""Reconciliation: pairs left ``pending`` half-way are rolled back, at start and then periodically.

A pending row is left behind by an earlier run that stopped half-way, or by an opening in this run that
was cancelled or failed in a way that could not be checked (a timeout, then the server could not be
looked at). Until it goes, its members look paired to a request yet have nothing to end, so the row is
rolled back at start (every row older than the process) and by a timed pass (every row this process is
not opening and that is older than :data:`STALE_AFTER`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.audit import AuditAction, AuditLog
from bot.core.ports import SpacePort
from bot.pairing.queries import PairRepo, as_utc
from bot.pairing.shared import Shared
from bot.pairing.states import CreatedBy

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)  # far longer than opening a space takes, even behind rate limits
AUDITED = (CreatedBy.MODERATOR, CreatedBy.ROUND)  # pairs a moderator's audit entry points at


class Reconciler:
    def __init__(self, shared: Shared, spaces: SpacePort, audit: AuditLog) -> None:
        self.shared = shared
        self.spaces = spaces
        self.audit = audit
        self.started_at = shared.clock()  # pending pairs older than this were left by an earlier run

    def _stale(self, created_at: datetime, now: datetime) -> bool:
        created_at = as_utc(created_at)
        return created_at < as_utc(self.started_at) or created_at <= now - STALE_AFTER

    async def reconcile(self) -> int:
        """Delete any space opened for a stale pending pair, then the row. A row this process is opening
        is never touched, nor a recent one (it may be about to open), and a row whose server cannot be
        looked at now is left for the next pass. The guild's lock is held only to delete the row."""
        now = as_utc(self.shared.clock())
        async with self.shared.unit() as session:
            pending = [(p.id, p.guild_id, p.space_name, p.created_at) for p in await PairRepo(session).pending()]
        rolled_back = 0
        for pair_id, guild_id, name, created_at in pending:
            if self.shared.openings.among([pair_id]) or not self._stale(created_at, now):
                continue
            try:
                space_id = await self.spaces.find_space(guild_id, name)
                if space_id is not None:
                    await self.spaces.discard_space(guild_id, space_id)
            except Exception:
                log.warning("pending pair %s kept for later: its server cannot be checked now", pair_id, exc_info=True)
                continue
            if await self._delete(guild_id, pair_id):
                rolled_back += 1
                log.warning("rolled back pair %s, left pending by an interrupted opening", pair_id)
        return rolled_back

    async def sweep(self) -> datetime | None:
        """The timed pass: reconcile, then when the youngest pending row left would become stale."""
        await self.reconcile()
        async with self.shared.unit() as session:
            pending = [(p.id, p.created_at) for p in await PairRepo(session).pending()]
        opening = set(self.shared.openings.among(pair_id for pair_id, _ in pending))
        due = [as_utc(created) + STALE_AFTER for pair_id, created in pending if pair_id not in opening]
        return min(due, default=None)

    async def _delete(self, guild_id: int, pair_id: int) -> bool:
        """Under the guild's lock (then the audit lock), as an opening deletes its own row."""
        async with self.shared.locks(guild_id):
            if self.shared.openings.among([pair_id]):
                return False
            async with self.audit.unit() as unit:
                pairs = PairRepo(unit.session)
                pair = await pairs.get(pair_id)
                if pair is None:
                    return False
                created_by, member_ids = pair.created_by, pair.user_ids
                if not await pairs.delete_pending(pair_id):
                    return False
                if created_by in AUDITED:
                    detail = f"rolled back ({created_by}): the opening was interrupted"
                    await unit.record(
                        guild_id, None, AuditAction.OPEN_FAILED, pair_id=pair_id, member_ids=member_ids, detail=detail
                    )
        return True
