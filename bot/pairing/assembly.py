"""Builds the pairing services around one shared state (locks, pairs being opened), for the composition
root and for tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditLog
from bot.core.ports import SpacePort
from bot.db.base import utcnow
from bot.pairing import rounds
from bot.pairing.ending_service import EndingService
from bot.pairing.opening import PairOpener
from bot.pairing.profile_service import ProfileService
from bot.pairing.reconcile import Reconciler
from bot.pairing.round_service import RoundService
from bot.pairing.shared import GuildLocks, Shared


@dataclass(frozen=True)
class PairingServices:
    profiles: ProfileService
    rounds: RoundService
    endings: EndingService
    reconciler: Reconciler


def build_pairing(
    sessions: async_sessionmaker[AsyncSession],
    spaces: SpacePort,
    audit: AuditLog,
    *,
    clock: Callable[[], datetime] = utcnow,
    runner: rounds.RoundRunner = rounds.in_process,
    offload: rounds.Offload = rounds.run_here,
    welcome_notes: Sequence[str] = (),
    locks: GuildLocks | None = None,
) -> PairingServices:
    """``locks``: the guild locks, shared with other features whose writes a reservation reads (safety's
    blocks, the erasure's opt-out); pairing's own when None."""
    shared = Shared(sessions, clock, locks if locks is not None else GuildLocks())
    opener = PairOpener(shared, spaces, audit, welcome_notes)
    return PairingServices(
        profiles=ProfileService(shared, audit),
        rounds=RoundService(shared, opener, audit, runner=runner, offload=offload),
        endings=EndingService(shared, spaces, audit),
        reconciler=Reconciler(shared, spaces, audit),
    )
