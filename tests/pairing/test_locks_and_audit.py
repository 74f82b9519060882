"""The guild lock covers only the reservation, endings wait only for their own pair, and the
pairing moderator actions are audited inside their own transaction."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit.log import AuditedUnit, AuditLog
from bot.audit.models import AuditEntry
from bot.pairing.assembly import PairingServices, build_pairing
from bot.pairing.models import Pair, PairMember
from bot.pairing.states import EndReason, PairStatus
from tests.pairing.fake_spaces import FakeSpaces
from tests.pairing.test_service import NOW, A, B, C, G, peer

MOD = 299


@pytest.fixture
def spaces() -> FakeSpaces:
    return FakeSpaces()


@pytest.fixture
async def pairing(sessions: async_sessionmaker[AsyncSession], spaces: FakeSpaces) -> PairingServices:
    built = build_pairing(sessions, spaces, AuditLog(sessions, clock=lambda: NOW), clock=lambda: NOW)
    await built.profiles.setup(
        G, MOD, category_id=900, hub_channel_id=None, moderator_role_id=None, log_channel_id=None, topics=None
    )
    return built


async def audit_rows(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as s:
        return list((await s.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def test_a_failed_audit_write_means_no_manual_pair(
    pairing: PairingServices,
    spaces: FakeSpaces,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))

    async def broken(*_args: object, **_kw: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(AuditedUnit, "record", broken)
    with pytest.raises(OSError, match="disk full"):
        await pairing.rounds.pair_manually(G, MOD, A, B)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Pair)) == 0
        assert await s.scalar(select(func.count()).select_from(PairMember)) == 0
    assert spaces.opened == {}  # no space was asked for
    monkeypatch.undo()
    made = await pairing.rounds.pair_manually(G, MOD, A, B)  # and it works once the audit log does
    entry = (await audit_rows(sessions))[-1]
    assert (entry.action, entry.actor_id, entry.pair_id, entry.member_ids) == ("pair", MOD, made.pair_id, [A, B])


async def test_moderator_actions_audit_themselves_without_member_text(
    pairing: PairingServices, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None, about="something private"))
    await pairing.profiles.join(G, B, peer(topics=None))
    await pairing.profiles.join(G, C, peer(topics=None))
    await pairing.rounds.run_round(G, MOD, dry_run=True)
    outcome = await pairing.rounds.run_round(G, MOD, dry_run=False)
    assert len(outcome.made) == 1
    listed = await pairing.rounds.list_pairs(G, MOD)
    await pairing.endings.unpair(G, MOD, listed[0].member_ids[0], "g")
    entries = await audit_rows(sessions)
    assert [e.action for e in entries] == ["setup", "match", "match", "pairs", "unpair"]
    assert all(e.actor_id == MOD for e in entries)
    assert entries[1].detail == "dry run: 1 proposed, 1 waiting"
    assert entries[2].detail == "1 proposed, 1 reserved, 1 waiting"
    assert entries[4].member_ids == [listed[0].member_ids[0]] and entries[4].pair_id == listed[0].pair_id
    assert not any("private" in e.detail or "private" in e.reason for e in entries)


async def test_opening_a_space_holds_no_guild_lock_and_leave_waits_for_that_pair_only(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    spaces.gate = asyncio.Event()
    request = asyncio.create_task(pairing.rounds.request(G, A))
    await asyncio.wait_for(spaces.at_gate.wait(), timeout=5)
    # the pair is reserved and its space is being opened: the server is not blocked
    _, created = await asyncio.wait_for(pairing.profiles.join(G, C, peer(topics=None)), timeout=5)
    assert created
    async with sessions() as s:
        assert (await s.scalars(select(Pair.status))).all() == [PairStatus.PENDING]
    leave = asyncio.create_task(pairing.endings.leave(G, B, "g"))
    await asyncio.sleep(0.05)
    assert not leave.done()  # B's pair is still being opened: leave waits for it, and only for it
    await asyncio.wait_for(pairing.endings.leave(G, C, "g"), timeout=5)  # others are not held up
    spaces.gate.set()
    outcome = await asyncio.wait_for(request, timeout=5)
    assert outcome.pair is not None
    assert await asyncio.wait_for(leave, timeout=5) == 1  # then it ends that pair like any other
    async with sessions() as s:
        pair = (await s.scalars(select(Pair))).one()
        assert (pair.status, pair.end_reason) == (PairStatus.ENDED, EndReason.MEMBER_LEFT_PROGRAM)
        assert await s.scalar(select(func.count()).select_from(PairMember).where(PairMember.is_open)) == 0
    assert [sid for sid, _ in spaces.archived] == [outcome.pair.space_id]
