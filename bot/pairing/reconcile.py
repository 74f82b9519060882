"""Start-up reconciliation: pairs left ``pending`` by an earlier run that stopped half-way are rolled back."""

from __future__ import annotations

import logging

from bot.core.ports import SpacePort
from bot.pairing.queries import PairRepo
from bot.pairing.shared import Shared

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(self, shared: Shared, spaces: SpacePort) -> None:
        self.shared = shared
        self.spaces = spaces
        self.started_at = shared.clock()  # pending pairs older than this were left by an earlier run

    async def reconcile(self) -> int:
        """Delete any space opened for a pair an earlier run left pending, then the row. Only rows older
        than this process are touched (newer ones are being opened now), and a row whose server cannot be
        looked at now is left for the next start. No guild lock is held: no reservation touches these rows."""
        async with self.shared.unit() as session:
            pending = [(p.id, p.guild_id, p.space_name, p.created_at) for p in await PairRepo(session).pending()]
        rolled_back = 0
        for pair_id, guild_id, name, created_at in pending:
            if created_at >= self.started_at:
                continue
            try:
                space_id = await self.spaces.find_space(guild_id, name)
                if space_id is not None:
                    await self.spaces.discard_space(guild_id, space_id)
            except Exception:
                log.warning("pending pair %s kept for later: its server cannot be checked now", pair_id, exc_info=True)
                continue
            async with self.shared.unit() as session:
                await PairRepo(session).delete_pending(pair_id)
            rolled_back += 1
            log.warning("rolled back pair %s, left pending by an interrupted run", pair_id)
        return rolled_back
