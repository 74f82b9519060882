"""The pairing lifecycle on a real, migrated SQLite file, with a recording SpacePort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit.log import AuditLog
from bot.core.errors import Conflict, InvalidInput, NotFound, SetupNeeded, SpaceError
from bot.core.ports import SpacePlan
from bot.pairing.assembly import PairingServices, build_pairing
from bot.pairing.models import Block, MemberProfile, Pair, PairHistory, PairMember
from bot.pairing.profiles import ProfileInput
from tests.pairing.fake_spaces import FakeSpaces

G = 111111111111111111
A, B, C, D = 201, 202, 203, 204
MOD = 299  # the moderator who runs setup, rounds and pairs by hand
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)  # the service's clock: every time a test plants is taken from it


def peer(**kw: object) -> ProfileInput:
    base: dict[str, object] = {
        "role": "peer",
        "timezone": "Europe/Berlin",
        "languages": "English",
        "topics": "writing",
    }
    base.update(kw)
    return ProfileInput(**base)  # type: ignore[arg-type]


@pytest.fixture
def spaces() -> FakeSpaces:
    return FakeSpaces()


@pytest.fixture
async def service(sessions: async_sessionmaker[AsyncSession], spaces: FakeSpaces) -> PairingServices:
    svc = build_pairing(sessions, spaces, AuditLog(sessions, clock=lambda: NOW), clock=lambda: NOW)
    await svc.profiles.setup(
        G,
        MOD,
        category_id=900,
        hub_channel_id=None,
        moderator_role_id=None,
        log_channel_id=950,
        topics="writing, art",
    )
    return svc


async def count(sessions: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_join_then_edit(service: PairingServices) -> None:
    profile, created = await service.profiles.join(G, A, peer(tags="LGBTQ+, \u200bveterans"))
    assert created and profile.tags == ("LGBTQ+", "veterans")
    profile, created = await service.profiles.join(G, A, peer(topics="Art, WRITING"))
    assert not created and profile.topics == ("art", "writing")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (peer(timezone="Mars/Olympus"), "timezone"),
        (peer(topics="knitting"), "not on this server's topic list"),
        (peer(languages="Klingon"), "don't know the language"),
        (peer(about="x" * 301), "300 characters"),
        (peer(tags="a" * 33), "32 characters"),
        (peer(capacity=3), "only for mentors"),
        (peer(role="mentor", capacity=9), "between 1 and 5"),
        (peer(role="boss"), "role must be one of"),
    ],
)
async def test_bad_profiles_store_nothing(
    service: PairingServices, sessions: async_sessionmaker[AsyncSession], raw: ProfileInput, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await service.profiles.join(G, A, raw)
    assert await count(sessions, MemberProfile) == 0


async def test_request_waits_then_pairs(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    first = await service.rounds.request(G, A)
    assert first.pair is None and first.waiting_since is not None
    await service.profiles.join(G, B, peer(timezone="Europe/Paris"))
    second = await service.rounds.request(G, B)
    assert second.pair is not None and set(second.pair.member_ids) == {A, B}
    assert second.pair.space_id in spaces.opened
    assert "you share: writing" in second.pair.reasons
    welcome = spaces.posts[-1]
    assert welcome[2] == (B, A) and "Why you were matched" in welcome[1]
    with pytest.raises(Conflict, match="already paired"):
        await service.rounds.request(G, A)
    assert await count(sessions, PairHistory) == 1
    status = await service.profiles.status(G, A)
    assert status.pairs[0].partners_of(A) == (B,)


async def test_request_needs_join_and_setup(sessions: async_sessionmaker[AsyncSession], spaces: FakeSpaces) -> None:
    svc = build_pairing(sessions, spaces, AuditLog(sessions))
    with pytest.raises(NotFound, match="/peer join"):
        await svc.rounds.request(G, A)
    await svc.profiles.join(G, A, peer(topics=None))
    with pytest.raises(SetupNeeded):
        await svc.rounds.request(G, A)


async def test_roles_languages_and_blocks_are_respected(service: PairingServices) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer(role="mentee"))
    await service.profiles.join(G, C, peer(languages="de"))
    await service.rounds.request(G, A)
    assert (await service.rounds.request(G, B)).pair is None  # mentee with peer: no
    assert (await service.rounds.request(G, C)).pair is None  # no common language
    outcome = await service.rounds.run_round(G, MOD, dry_run=True)
    assert outcome.proposed == ()
    assert {uid for uid, _ in outcome.unmatched} == {A, B, C}


async def test_end_blocks_confidentially_and_never_repeats(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer())
    pair = (await service.rounds.request(G, A)).pair
    assert pair is not None
    ended = await service.endings.end(G, A, partner_id=None, dont_pair_again=True, guild_name="Rainbow")
    assert ended.status == "ended"
    assert [(sid, set(members)) for sid, members in spaces.archived] == [(pair.space_id, {A, B})]
    told = [t for t in spaces.told if t[0] == B]
    assert told and told[0][2] is True and "nobody is at fault" in told[0][1]
    assert not any(user == A for user, _, _ in spaces.told)
    async with sessions() as s:
        block = (await s.scalars(select(Block))).one()
        assert (block.blocker_id, block.blocked_id, block.source) == (A, B, "member")
    await service.rounds.request(G, A)
    again = await service.rounds.request(G, B)
    assert again.pair is None
    with pytest.raises(Conflict, match="confidential block"):
        await service.rounds.pair_manually(G, MOD, A, B)


async def test_failed_space_leaves_nothing(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer())
    spaces.fail_open = SpaceError("Couldn't open it.", "the bot is missing the Manage Channels permission")
    with pytest.raises(SpaceError):
        await service.rounds.request(G, B)
    assert await count(sessions, Pair) == 0
    assert await count(sessions, PairMember) == 0
    assert spaces.moderators == [
        "Tandem could not open a private pair space: the bot is missing the Manage Channels permission"
    ]
    spaces.fail_open = None
    outcome = await service.rounds.run_round(G, MOD, dry_run=False)
    assert len(outcome.made) == 1


async def test_mentor_capacity_uses_slots(service: PairingServices, sessions: async_sessionmaker[AsyncSession]) -> None:
    await service.profiles.join(G, B, peer(role="mentee"))
    await service.profiles.join(G, C, peer(role="mentee"))
    assert (await service.rounds.run_round(G, MOD, dry_run=True)).proposed == ()  # no mentor yet
    await service.profiles.join(G, A, peer(role="mentor", capacity=2))
    await service.profiles.join(G, D, peer(role="mentee"))
    dry = await service.rounds.run_round(G, MOD, dry_run=True)
    assert len(dry.proposed) == 2  # capacity 2: two of the three mentees
    assert {m for members, _, _ in dry.proposed for m in members} - {A} <= {B, C, D}
    made = await service.rounds.run_round(G, MOD, dry_run=False)
    assert len(made.made) == 2
    assert len(made.unmatched) == 1
    status = await service.profiles.status(G, A)
    assert len(status.pairs) == 2
    with pytest.raises(Conflict, match="capacity"):
        await service.rounds.request(G, A)
    async with sessions() as s:
        slots = sorted((await s.scalars(select(PairMember.slot).where(PairMember.user_id == A))).all())
    assert slots == [0, 1]
    with pytest.raises(InvalidInput, match="more than one pairing"):
        await service.endings.end(G, A, partner_id=None, dont_pair_again=False, guild_name="g")


async def test_database_refuses_a_double_booking(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        pair = Pair(guild_id=G, space_name="pair-a", created_by="moderator", status="active")
        pair.members.append(PairMember(guild_id=G, user_id=A, slot=0))
        s.add(pair)
    # A second open pair holding A's slot 0 is refused by the database itself.
    with pytest.raises(IntegrityError):
        async with sessions.begin() as s:
            pair = Pair(guild_id=G, space_name="pair-b", created_by="moderator", status="active")
            pair.members.append(PairMember(guild_id=G, user_id=A, slot=0))
            s.add(pair)
    # Once the first pair's membership is closed, the slot is free again.
    async with sessions.begin() as s:
        first = (await s.scalars(select(PairMember))).one()
        first.is_open = False
        pair = Pair(guild_id=G, space_name="pair-c", created_by="moderator", status="active")
        pair.members.append(PairMember(guild_id=G, user_id=A, slot=0))
        s.add(pair)
    assert await count(sessions, PairMember) == 2


async def test_reconcile_rolls_back_pending(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer())
    async with sessions.begin() as s:  # as if the process died after opening the space
        pair = Pair(
            guild_id=G,
            space_name="pair-dead01",
            created_by="request",
            status="pending",
            created_at=NOW - timedelta(hours=1),  # before this process started, on the service's own clock
        )
        pair.members.append(PairMember(guild_id=G, user_id=A, slot=0))
        pair.members.append(PairMember(guild_id=G, user_id=B, slot=0))
        s.add(pair)
    spaces.opened[555] = SpacePlan(G, "pair-dead01", (A, B), 900, (), None)
    assert await service.reconciler.reconcile() == 1
    assert spaces.discarded == [555]
    assert await count(sessions, Pair) == 0
    again = await service.rounds.request(G, B)
    assert again.pair is not None


async def test_leave_and_delete(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer())
    await service.rounds.request(G, A)
    with pytest.raises(Conflict, match="/peer leave"):
        await service.endings.delete_data(G, A)
    assert await service.endings.leave(G, A, "Rainbow") == 1
    assert await service.endings.delete_data(G, A) is True
    async with sessions() as s:
        assert (await s.scalars(select(MemberProfile.user_id))).all() == [B]
        assert await s.scalar(select(func.count()).select_from(PairHistory)) == 1


async def test_member_left_server_ends_kindly(service: PairingServices, spaces: FakeSpaces) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer())
    pair = (await service.rounds.request(G, A)).pair
    assert pair is not None
    assert await service.endings.member_left_server(G, B, "Rainbow") == 1
    assert spaces.archived == [(pair.space_id, (A,))]
    assert [t[0] for t in spaces.told] == [A]
    assert "no longer in the server" in spaces.told[0][1]
    with pytest.raises(NotFound):
        await service.profiles.status(G, B)


async def test_closed_dms_are_remembered(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.join(G, B, peer())
    await service.rounds.request(G, A)
    spaces.closed_dms.add(B)
    await service.endings.end(G, A, partner_id=None, dont_pair_again=False, guild_name="g")
    async with sessions() as s:
        profile = (await s.scalars(select(MemberProfile).where(MemberProfile.user_id == B))).one()
        assert profile.dms_closed is True


async def test_reconcile_leaves_rows_of_this_run_alone(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions.begin() as s:  # a row this very run is still opening: written after it started
        pair = Pair(guild_id=G, space_name="pair-live01", created_by="request", status="pending", created_at=NOW)
        pair.members.append(PairMember(guild_id=G, user_id=A, slot=0))
        s.add(pair)
    assert await service.reconciler.reconcile() == 0
    assert await count(sessions, Pair) == 1


async def test_one_failing_dm_never_strands_other_pairs(
    service: PairingServices, spaces: FakeSpaces, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer(role="mentor", capacity=2))
    await service.profiles.join(G, B, peer(role="mentee"))
    await service.profiles.join(G, C, peer(role="mentee"))
    await service.rounds.run_round(G, MOD, dry_run=False)
    assert len((await service.profiles.status(G, A)).pairs) == 2

    async def broken(*_args: object, **_kw: object) -> bool:
        raise OSError("connection reset")

    spaces.tell_member = broken  # type: ignore[method-assign]
    assert await service.endings.leave(G, A, "Rainbow") == 2
    async with sessions() as s:
        statuses = (await s.scalars(select(Pair.status))).all()
        open_members = await s.scalar(select(func.count()).select_from(PairMember).where(PairMember.is_open))
    assert statuses == ["ended", "ended"]
    assert open_members == 0
    assert len(spaces.archived) == 2


async def test_rejoining_clears_closed_dms_and_leaving_twice_is_harmless(
    service: PairingServices, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await service.profiles.join(G, A, peer())
    await service.profiles.mark_dms_closed(G, A)
    await service.profiles.join(G, A, peer())
    async with sessions() as s:
        assert (await s.scalars(select(MemberProfile.dms_closed))).one() is False
    assert await service.endings.leave(G, A, "g") == 0
    assert await service.endings.leave(G, A, "g") == 0  # the deletion choice can be offered again
    assert await service.endings.delete_data(G, A) is True


async def test_hub_only_setup_can_be_updated(sessions: async_sessionmaker[AsyncSession], spaces: FakeSpaces) -> None:
    svc = build_pairing(sessions, spaces, AuditLog(sessions))
    await svc.profiles.setup(
        G, MOD, category_id=None, hub_channel_id=77, moderator_role_id=None, log_channel_id=None, topics=None
    )
    updated = await svc.profiles.setup(
        G, MOD, category_id=None, hub_channel_id=None, moderator_role_id=None, log_channel_id=None, topics="art"
    )
    assert updated.topics == ("art",)
    assert updated.hub_channel_id == 77


async def test_large_pools_search_in_a_worker_process(
    sessions: async_sessionmaker[AsyncSession], spaces: FakeSpaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from bot import matching
    from bot.pairing import rounds

    monkeypatch.setattr(rounds, "OFFLOAD_FROM", 1)
    executor = matching.make_executor(1)
    calls: list[int] = []

    async def offload(search: object) -> matching.PartnerSuggestion:
        calls.append(1)
        return await asyncio.get_running_loop().run_in_executor(executor, search)  # type: ignore[arg-type]

    try:
        svc = build_pairing(sessions, spaces, AuditLog(sessions), offload=offload)
        await svc.profiles.setup(
            G, MOD, category_id=900, hub_channel_id=None, moderator_role_id=None, log_channel_id=None, topics=None
        )
        await svc.profiles.join(G, A, peer(topics=None))
        await svc.profiles.join(G, B, peer(topics=None))
        outcome = await svc.rounds.request(G, A)
    finally:
        executor.shutdown()
    assert calls == [1]
    assert outcome.pair is not None
    assert set(outcome.pair.member_ids) == {A, B}
