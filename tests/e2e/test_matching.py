"""The matching engine through the real bot: best partner now, whole rounds, trios, cooldowns, priority."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.pairing.models import MemberProfile, Pair
from tests.e2e.conftest import World
from tests.e2e.helpers import CHANNEL_CREATE, MEMBER_ALLOW, overwrites_of


async def test_request_finds_the_best_partner_not_the_first(world: World) -> None:
    await world.setup()
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    await world.join(bob, topics="music", timezone="Asia/Tokyo")  # waiting longest, little in common
    await world.join(alice, topics="writing, coming out", tags="LGBTQ+")
    await world.join(carol, topics="writing, coming out", tags="LGBTQ+", timezone="Europe/Paris")
    result = await world.run(carol, "peer request")
    assert f"<@{alice.id}>" in (result.content or "")
    pair = await world.one(Pair, Pair.status == "active")
    assert set(pair.user_ids) == {alice.id, carol.id}
    assert any(r.startswith("you share:") for r in pair.reasons)


async def test_round_runs_in_a_worker_process_and_explains_itself(world: World) -> None:
    await world.setup()
    people = [world.member(f"m{i}") for i in range(6)]
    for i, person in enumerate(people):
        await world.join(person, topics="music" if i % 2 else "writing")
    assert world.running is not None
    assert not world.running.bot.worker.started
    result = await world.run(world.mod, "peeradmin match")
    assert "Made 3 pairs." in (result.content or "")
    assert world.running.bot.worker.started  # the round ran off the event loop
    pairs = await world.rows(select(Pair).where(Pair.status == "active"))
    by_topic = {frozenset(p.user_ids) for p in pairs}
    writing = {p.id for i, p in enumerate(people) if i % 2 == 0}
    assert any(frozenset(ids) <= writing for ids in by_topic)  # shared topics pulled pairs together


async def test_odd_one_out_waits_first_in_line(world: World) -> None:
    await world.setup()
    people = [world.member(n) for n in ("ana", "ben", "cy")]
    for person in people:
        await world.join(person)
    result = await world.run(world.mod, "peeradmin match")
    assert "Made 1 pairs." in (result.content or "")
    assert "1 still waiting" in (result.content or "")
    waiting = await world.rows(select(MemberProfile).where(MemberProfile.waiting_since.is_not(None)))
    assert len(waiting) == 1
    assert waiting[0].match_priority is True


async def test_odd_one_out_joins_a_trio_when_the_server_says_so(world: World) -> None:
    await world.setup(odd_one_out="trio")
    people = [world.member(n) for n in ("ana", "ben", "cy")]
    for person in people:
        await world.join(person)
    result = await world.run(world.mod, "peeradmin match")
    assert "Made 1 pairs." in (result.content or "")
    pair = await world.one(Pair, Pair.status == "active")
    assert set(pair.user_ids) == {p.id for p in people}
    body = world.sb.find_requests("POST", CHANNEL_CREATE)[0].json
    ows = overwrites_of(body)
    for person in people:
        assert ows[person.id] == (1, MEMBER_ALLOW, 0)
    welcome = world.sb.messages_in(pair.space_id)[0]
    assert {int(u) for u in welcome.allowed_mentions["users"]} == {p.id for p in people}


async def test_cooldown_decides_when_former_partners_meet_again(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(alice, "peer request")
    await world.run(alice, "peer end")
    assert "waitlist" in ((await world.run(bob, "peer request")).content or "")
    again = await world.run(alice, "peer request")
    assert "waitlist" in (again.content or "")  # within the 90-day default cooldown
    await world.run(world.mod, "peeradmin setup", cooldown_days=0)
    now = await world.run(alice, "peer request")
    assert f"<@{bob.id}>" in (now.content or "")


async def test_blocked_pairs_never_meet_whatever_the_cooldown(world: World) -> None:
    await world.setup(cooldown_days=0)
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(alice, "peer request")
    await world.run(bob, "peer end", dont_pair_again=True)
    for who in (alice, bob):
        result = await world.run(who, "peer request")
        assert "waitlist" in (result.content or "")
        assert "block" not in (result.content or "").casefold()
    dry = await world.run(world.mod, "peeradmin match", dry_run=True)
    assert "0 pairs proposed" in (dry.content or "")


async def test_a_round_opening_spaces_never_blocks_join_in_the_same_server(world: World) -> None:
    """The guild lock covers only the reservation: while a round waits on Discord to open a space,
    another member's /peer join in the same server completes; then the round finishes as usual."""
    await world.setup()
    people = [world.member(f"m{i}") for i in range(4)]
    for person in people:
        await world.join(person)
    gate = world.sb.faults.hold("POST", CHANNEL_CREATE)
    try:
        match = await world.sb.invoke(world.guild, world.mod, "peeradmin match")
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        late = world.member("late")
        joined = await world.sb.invoke(world.guild, late, "peer join", role="peer", timezone="UTC", languages="en")
        await joined.wait_done(timeout=5)  # before the fix, this waited for the whole round
        assert "Welcome to the peer program" in (joined.content or "")
        assert gate.held == 1 and not match.done.is_set()  # the round is still at its first space
        pending = await world.rows(select(Pair).where(Pair.status == "pending"))
        assert len(pending) == 2  # both pairs reserved before any space was asked for
    finally:
        gate.release()
    await match.wait_done(timeout=10)
    assert "Made 2 pairs." in (match.content or "")
    pairs = await world.rows(select(Pair).where(Pair.status == "active"))
    assert {m for p in pairs for m in p.user_ids} == {p.id for p in people}
    assert all(p.space_id is not None for p in pairs)
    assert len(world.sb.find_requests("POST", CHANNEL_CREATE)) == 2
    late_profile = await world.one(MemberProfile, MemberProfile.user_id == late.id)
    assert late_profile.opted_in and late_profile.waiting_since is not None  # joined, waiting for the next round
