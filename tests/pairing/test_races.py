"""Races around the reservation step (issue 9's review of issue 8): a pair id handed out again, pending
rows stranded by an opening that could not finish, what changed while partners were searched, writes
of other features that a reservation reads, and the follow-up when a moderator's pair is rolled back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.config import load_settings
from bot.app.services import Services, build_services
from bot.audit.log import AuditedUnit, AuditLog
from bot.audit.models import AuditEntry
from bot.core.errors import Conflict, NotFound, SpaceError
from bot.pairing import BlockRepo
from bot.pairing import rounds as rounds_module
from bot.pairing.assembly import PairingServices, build_pairing
from bot.pairing.models import Pair
from bot.pairing.states import PairStatus
from bot.safety.models import SafetySettings
from tests.pairing.fake_spaces import FakeSpaces
from tests.pairing.test_service import MOD, NOW, A, B, C, G, peer


class Clock:
    """The services' clock, moved by the test (never the wall clock)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def spaces() -> FakeSpaces:
    return FakeSpaces()


@pytest.fixture
async def pairing(sessions: async_sessionmaker[AsyncSession], spaces: FakeSpaces, clock: Clock) -> PairingServices:
    built = build_pairing(sessions, spaces, AuditLog(sessions, clock=clock), clock=clock)
    await built.profiles.setup(
        G, MOD, category_id=900, hub_channel_id=None, moderator_role_id=None, log_channel_id=950, topics=None
    )
    return built


async def pairs(sessions: async_sessionmaker[AsyncSession]) -> list[Pair]:
    async with sessions() as s:
        return list((await s.scalars(select(Pair).order_by(Pair.id))).all())


async def audit_rows(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as s:
        return list((await s.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


# ----- 1. a pair id handed out again --------------------------------------------------------------


async def test_a_reused_pair_id_never_untracks_the_new_pairs_opening(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    spaces.fail_open = SpaceError("Couldn't open it.", "missing permission")
    told, release_told = asyncio.Event(), asyncio.Event()

    async def slow_tell(_log: int, _text: str) -> None:  # the moderators' log is slow to answer
        told.set()
        await release_told.wait()

    spaces.tell_moderators = slow_tell  # type: ignore[method-assign]
    first = asyncio.create_task(pairing.rounds.request(G, A))
    await asyncio.wait_for(told.wait(), 5)  # the first pair's row is deleted; its opening is still finishing
    spaces.fail_open, spaces.gate = None, asyncio.Event()
    await pairing.profiles.join(G, C, peer(topics=None))
    second = asyncio.create_task(pairing.rounds.request(G, C))
    await asyncio.wait_for(spaces.at_gate.wait(), 5)
    (pending,) = await pairs(sessions)
    assert pending.id == 1  # SQLite handed the deleted row's id to the new pair
    release_told.set()
    with pytest.raises(SpaceError):
        await asyncio.wait_for(first, 5)
    assert pairing.rounds.shared.openings.among([pending.id]) == [pending.id]  # still being opened
    member = next(m for m in pending.user_ids if m != C)
    leave = asyncio.create_task(pairing.endings.leave(G, member, "g"))
    await asyncio.sleep(0)
    assert not leave.done()  # so leaving waits for it, as for any pair being opened
    spaces.gate.set()
    outcome = await asyncio.wait_for(second, 5)
    assert outcome.pair is not None and outcome.pair.pair_id == pending.id
    assert await asyncio.wait_for(leave, 5) == 1  # and then ends it, space and all
    assert [sid for sid, _ in spaces.archived] == [outcome.pair.space_id]


# ----- 2. pending rows stranded in this run -------------------------------------------------------


async def test_a_pending_row_left_by_an_unknown_outcome_is_rolled_back_minutes_later(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    real_open = spaces.open_space

    async def made_then_timed_out(plan):  # type: ignore[no-untyped-def]
        await real_open(plan)  # Discord made the space, but the answer never came
        raise TimeoutError("gateway timeout")

    async def cannot_look(*_a: object) -> int | None:
        raise OSError("connection reset")

    spaces.open_space = made_then_timed_out  # type: ignore[method-assign]
    spaces.find_space = cannot_look  # type: ignore[method-assign]
    with pytest.raises(TimeoutError):
        await pairing.rounds.request(G, A)
    (stranded,) = await pairs(sessions)
    assert stranded.status == PairStatus.PENDING
    with pytest.raises(Conflict, match="already paired"):  # A is locked out meanwhile
        await pairing.rounds.request(G, A)
    with pytest.raises(NotFound):
        await pairing.endings.end(G, A, partner_id=None, dont_pair_again=False, guild_name="g")
    del spaces.find_space, spaces.open_space  # the server can be looked at again
    assert await pairing.reconciler.reconcile() == 0  # too recent: it might still be opening elsewhere
    clock.now = NOW + timedelta(minutes=6)
    assert await pairing.reconciler.reconcile() == 1  # by this process, no restart needed
    assert await pairs(sessions) == [] and spaces.opened == {}  # the space Discord made is gone too
    outcome = await pairing.rounds.request(G, A)
    assert outcome.pair is not None


async def test_the_timed_pass_comes_back_when_the_youngest_pending_row_turns_stale(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    request = asyncio.create_task(pairing.rounds.request(G, A))
    spaces.gate = asyncio.Event()
    await asyncio.wait_for(spaces.at_gate.wait(), 5)
    assert await pairing.reconciler.sweep() is None  # a pair being opened is not waited for
    request.cancel()  # the opening stops half-way: its row stays pending
    with pytest.raises(asyncio.CancelledError):
        await request
    clock.now = NOW + timedelta(minutes=2)
    assert await pairing.reconciler.sweep() == NOW + timedelta(minutes=5)
    clock.now = NOW + timedelta(minutes=5)
    assert await pairing.reconciler.sweep() is None
    assert await pairs(sessions) == []


async def test_a_pair_being_opened_is_never_reconciled_however_long_it_takes(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    spaces.gate = asyncio.Event()
    request = asyncio.create_task(pairing.rounds.request(G, A))
    await asyncio.wait_for(spaces.at_gate.wait(), 5)
    clock.now = NOW + timedelta(hours=1)  # rate limits held it up for an hour
    assert await pairing.reconciler.reconcile() == 0
    spaces.gate.set()
    outcome = await asyncio.wait_for(request, 5)
    assert outcome.pair is not None
    assert [p.status for p in await pairs(sessions)] == [PairStatus.ACTIVE]


async def test_a_cancelled_opening_is_rolled_back_minutes_later(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    spaces.gate = asyncio.Event()
    request = asyncio.create_task(pairing.rounds.request(G, A))
    await asyncio.wait_for(spaces.at_gate.wait(), 5)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert [p.status for p in await pairs(sessions)] == [PairStatus.PENDING]
    clock.now = NOW + timedelta(minutes=6)
    assert await pairing.reconciler.reconcile() == 1
    assert await pairs(sessions) == []


def test_the_composition_root_runs_reconciliation_on_the_one_timer(sessions: async_sessionmaker[AsyncSession]) -> None:
    with composed(sessions) as services:
        timer = services.timers.get("tandem:pairing-reconcile")
        assert timer.max_delay == 300  # a stranded row waits at most its five minutes and one pass


# ----- 3. what changed while partners were searched -----------------------------------------------


@pytest.fixture
def slow_search(pairing: PairingServices, monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """The first partner search waits at a gate (outside the lock) until the test opens it."""
    reached, gate = asyncio.Event(), asyncio.Event()
    real = pairing.rounds.offload

    async def slow(search):  # type: ignore[no-untyped-def]
        reached.set()
        await gate.wait()
        return await real(search)

    monkeypatch.setattr(rounds_module, "OFFLOAD_FROM", 0)  # every search goes through the offload
    monkeypatch.setattr(pairing.rounds, "offload", slow)
    return reached, gate


async def test_a_pause_committed_during_the_search_stops_the_request(
    pairing: PairingServices,
    spaces: FakeSpaces,
    sessions: async_sessionmaker[AsyncSession],
    slow_search: tuple[asyncio.Event, asyncio.Event],
) -> None:
    reached, gate = slow_search
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    task = asyncio.create_task(pairing.rounds.request(G, A))
    await asyncio.wait_for(reached.wait(), 5)
    async with sessions.begin() as s:
        s.add(SafetySettings(guild_id=G, paused=True))
    gate.set()
    with pytest.raises(Conflict, match="paused"):
        await asyncio.wait_for(task, 5)
    assert await pairs(sessions) == [] and spaces.opened == {}


async def test_a_partner_who_changed_role_during_the_search_is_not_reserved(
    pairing: PairingServices,
    spaces: FakeSpaces,
    sessions: async_sessionmaker[AsyncSession],
    slow_search: tuple[asyncio.Event, asyncio.Event],
) -> None:
    reached, gate = slow_search
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    task = asyncio.create_task(pairing.rounds.request(G, A))
    await asyncio.wait_for(reached.wait(), 5)
    await pairing.profiles.join(G, B, peer(topics=None, role="mentor"))  # B now mentors: no peer for A
    gate.set()
    outcome = await asyncio.wait_for(task, 5)
    assert outcome.pair is None  # A keeps waiting; B was not paired as a peer
    assert await pairs(sessions) == [] and spaces.opened == {}


# ----- 4. other features' writes that a reservation reads -----------------------------------------


@pytest.fixture
def composed_services(sessions: async_sessionmaker[AsyncSession]) -> Iterator[Services]:
    with composed(sessions) as services:
        yield services


@contextmanager
def composed(sessions: async_sessionmaker[AsyncSession]) -> Iterator[Services]:
    """Every service as the bot builds them (the adapter unbound: nothing here calls Discord)."""
    services = build_services(load_settings({}), sessions, clock=lambda: NOW)
    try:
        yield services
    finally:
        services.worker.shutdown()


def locked_at_write(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the server's pairing lock was held each time an audit entry was written."""
    seen: list[bool] = []
    real: Callable[..., object] = AuditedUnit.record
    locks = services.rounds.shared.locks

    async def record(self: AuditedUnit, guild_id: int, *args: object, **kw: object) -> object:
        seen.append(locks(guild_id).locked())
        return await real(self, guild_id, *args, **kw)  # type: ignore[misc]

    monkeypatch.setattr(AuditedUnit, "record", record)
    return seen


async def test_a_moderators_block_is_written_under_the_pairing_lock(
    composed_services: Services, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = locked_at_write(composed_services, monkeypatch)
    await composed_services.safety.block(G, MOD, A, B)  # the block and its entry commit in one unit
    assert seen == [True]  # so a round's reservation never reads the blocks half-way
    async with sessions() as s:
        assert await BlockRepo(s).between(G, A, B)


async def test_forgetting_a_member_takes_them_out_under_the_pairing_lock(
    composed_services: Services, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = composed_services
    await services.profiles.setup(
        G, MOD, category_id=900, hub_channel_id=None, moderator_role_id=None, log_channel_id=None, topics=None
    )
    await services.profiles.join(G, A, peer(topics=None))
    seen = locked_at_write(services, monkeypatch)
    assert await services.privacy.forget(G, MOD, A, "g") is True
    assert seen == [True]  # opted_in=False commits with the entry, under the lock a reservation takes


# ----- 5. the follow-up when a moderator's pair is rolled back ------------------------------------


async def test_a_manual_pair_that_cannot_open_is_followed_up_in_the_audit_log(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None, about="something private"))
    await pairing.profiles.join(G, B, peer(topics=None))
    spaces.fail_open = SpaceError("Couldn't open it.", "missing permission")
    with pytest.raises(SpaceError):
        await pairing.rounds.pair_manually(G, MOD, A, B)
    assert await pairs(sessions) == []
    *_, paired, failed = await audit_rows(sessions)
    assert (paired.action, failed.action) == ("pair", "open_failed")
    assert (failed.actor_id, failed.pair_id, failed.member_ids) == (MOD, paired.pair_id, [A, B])
    assert "private" not in failed.detail and "private" not in failed.reason


async def test_a_round_that_stops_early_follows_up_every_pair_it_released(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for member in (A, B, C, 204):
        await pairing.profiles.join(G, member, peer(topics=None))
    spaces.fail_open = SpaceError("Couldn't open it.", "missing permission")
    outcome = await pairing.rounds.run_round(G, MOD, dry_run=False)
    assert outcome.made == () and outcome.failure is not None
    assert await pairs(sessions) == []
    entries = await audit_rows(sessions)
    assert [e.action for e in entries[1:]] == ["match", "open_failed", "open_failed"]
    assert entries[1].detail == "2 proposed, 2 reserved, 0 waiting"
    assert all(e.actor_id == MOD and e.pair_id is not None for e in entries[2:])
    assert entries[2].pair_id != entries[3].pair_id


async def test_a_request_that_cannot_open_writes_no_audit_entry(
    pairing: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None))
    await pairing.profiles.join(G, B, peer(topics=None))
    spaces.fail_open = SpaceError("Couldn't open it.", "missing permission")
    with pytest.raises(SpaceError):
        await pairing.rounds.request(G, A)
    assert [e.action for e in await audit_rows(sessions)] == ["setup"]  # a member's request is not audited


async def test_a_welcome_that_cannot_be_posted_is_reported_to_the_moderators(
    pairing: PairingServices, spaces: FakeSpaces
) -> None:
    await pairing.profiles.join(G, A, peer(topics=None, about="something private"))
    await pairing.profiles.join(G, B, peer(topics=None))

    async def refused(*_a: object, **_kw: object) -> None:
        raise OSError("Missing Access")

    spaces.post_in_space = refused  # type: ignore[method-assign]
    outcome = await pairing.rounds.request(G, A)
    assert outcome.pair is not None  # the pair stands
    (told,) = spaces.moderators
    assert f"#{outcome.pair.pair_id}" in told and "report button" in told
    assert "private" not in told and str(A) not in told  # status only: no member text, no mention
