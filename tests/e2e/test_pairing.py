"""/peer request, /peer status and the private pair space: exact overwrites, welcome, no leaks."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.pairing.models import Pair, PairHistory
from tests.e2e.conftest import World
from tests.e2e.helpers import BOT_ALLOW, CHANNEL_CREATE, MEMBER_ALLOW, PAIR_NAME, VIEW_CHANNEL, overwrites_of


async def pair_up(world: World, a: str = "alice", b: str = "bob") -> tuple[object, object, Pair]:
    await world.setup()
    alice, bob = world.member(a), world.member(b)
    await world.join(alice, topics="writing, career change", tags="LGBTQ+")
    await world.join(bob, topics="writing, career change", tags="lgbtq+", timezone="Europe/London")
    await world.run(alice, "peer request")
    pair = await world.one(Pair, Pair.status == "active")
    return alice, bob, pair


async def test_request_waits_then_opens_a_private_channel(world: World) -> None:
    await world.setup()
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    await world.join(alice, topics="writing, career change", tags="LGBTQ+")
    first = await world.run(alice, "peer request")
    assert first.ephemeral
    assert "You're on the waitlist" in (first.content or "")
    assert not world.sb.find_requests("POST", CHANNEL_CREATE)
    await world.join(bob, topics="writing, career change", tags="lgbtq+", timezone="Europe/London")

    second = await world.run(bob, "peer request")
    assert second.ephemeral
    assert f"<@{alice.id}>" in (second.content or "")
    assert second.messages[-1].allowed_mentions == {"parse": []}  # naming the partner pings nobody

    creates = world.sb.find_requests("POST", CHANNEL_CREATE)
    assert len(creates) == 1
    body = creates[0].json
    assert re.fullmatch(PAIR_NAME, body["name"])
    assert "alice" not in body["name"]
    assert "bob" not in body["name"]
    assert int(body["parent_id"]) == world.category.id
    assert int(body["type"]) == 0
    assert overwrites_of(body) == {
        world.guild.id: (0, 0, VIEW_CHANNEL),  # @everyone: cannot see it
        world.sb.bot_user.id: (1, BOT_ALLOW, 0),
        alice.id: (1, MEMBER_ALLOW, 0),
        bob.id: (1, MEMBER_ALLOW, 0),
    }
    space_id = int(creates[0].response["id"])
    assert world.sb.can_view(alice, space_id)
    assert world.sb.can_view(bob, space_id)
    assert not world.sb.can_view(carol, space_id)
    assert not world.sb.can_view(world.mod, space_id)  # moderators see status, never content

    welcome = world.sb.messages_in(space_id)
    assert len(welcome) == 1
    text = welcome[0].content
    shared = re.search(r"you share: ([^;]+);", text)
    assert shared is not None
    assert set(shared[1].split(", ")) == {"writing", "career change"}
    assert "both chose lgbtq+" in text.casefold()
    assert "overlapping daytime" in text
    assert welcome[0].allowed_mentions is not None
    assert sorted(int(u) for u in welcome[0].allowed_mentions.get("users", [])) == sorted([alice.id, bob.id])
    assert welcome[0].allowed_mentions.get("parse", []) == []

    pair = await world.one(Pair, Pair.status == "active")
    assert pair.space_id == space_id
    assert pair.space_kind == "channel"
    assert set(pair.user_ids) == {alice.id, bob.id}
    assert len(await world.rows(select(PairHistory))) == 1


async def test_status_shows_partner_and_space(world: World) -> None:
    alice, bob, pair = await pair_up(world)
    status = await world.run(alice, "peer status")
    assert status.ephemeral
    assert f"<@{bob.id}>" in (status.content or "")
    assert f"<#{pair.space_id}>" in (status.content or "")
    carol = world.member("carol")
    await world.join(carol)
    waiting = await world.run(carol, "peer status")
    assert "You're on the waitlist since" in (waiting.content or "")
    await world.run(alice, "peer end")
    after = await world.run(alice, "peer status")
    assert after.content == "You're in the program but not paired; /peer request finds you a partner."


async def test_request_when_already_paired_changes_nothing(world: World) -> None:
    alice, _bob, _pair = await pair_up(world)
    again = await world.run(alice, "peer request")
    assert again.content == "You're already paired; /peer status shows your partner and your space."
    assert len(world.sb.find_requests("POST", CHANNEL_CREATE)) == 1


async def test_request_before_setup_and_before_join(world: World) -> None:
    alice = world.member("alice")
    not_joined = await world.run(alice, "peer request")
    assert "/peer join" in (not_joined.content or "")
    await world.join(alice)
    not_setup = await world.run(alice, "peer request")
    assert "/peeradmin setup" in (not_setup.content or "")
    assert not_setup.ephemeral


async def test_mentor_and_mentee_pair_but_peers_do_not_cross(world: World) -> None:
    await world.setup()
    mentor, mentee, peer = world.member("mira"), world.member("milo"), world.member("pat")
    await world.join(mentor, role="mentor", capacity=2, topics="veterans life")
    await world.join(peer, topics="veterans life")
    await world.run(mentor, "peer request")
    assert (await world.run(peer, "peer request")).content.startswith("You're on the waitlist")  # type: ignore[union-attr]
    await world.join(mentee, role="mentee", topics="veterans life")
    paired = await world.run(mentee, "peer request")
    assert f"<@{mentor.id}>" in (paired.content or "")
    pair = await world.one(Pair, Pair.status == "active")
    assert set(pair.user_ids) == {mentor.id, mentee.id}
