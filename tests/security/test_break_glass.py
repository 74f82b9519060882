"""Findings 8 and 12 (issue 10): break-glass access, replayed through the real bot against the sandbox.

8: in a thread space the moderator is added to the private thread and Discord lets them post there, while
the notice told the pair they could not. 12: a moderator who is one of the pair could open break-glass on
their own space, and its end would take away their own access."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.pairing.models import Pair
from bot.safety.models import AccessGrant
from bot.sandbox.errors import SandboxError
from tests.e2e.conftest import World, running_world
from tests.e2e.helpers import one_sentence

REASON = "Case #3 mentions threats"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


async def test_in_a_thread_space_the_notice_tells_the_truth_about_posting(world: World) -> None:
    await world.run(world.mod, "peeradmin setup", hub=world.hub, log_channel=world.log, topics="music")
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    pair = await world.one(Pair, Pair.status == "active")
    assert pair.space_kind == "thread"
    granted = await world.run(world.mod, "peeradmin safety access", pair=pair.id, reason=REASON, minutes=10)
    assert "until" in (granted.content or "")
    notice = world.sb.messages_in(pair.space_id)[-1].content
    assert "can see this space until" in notice
    # what the pair was told, against what Discord (the sandbox) actually lets the moderator do
    posted = await world.sb.send_as(world.mod, pair.space_id, "just checking")
    assert posted.content == "just checking"  # in a private thread a member can post: the notice must say so
    assert "cannot post" not in notice
    assert "lets them post" in notice


async def test_a_channel_space_notice_still_promises_read_only_and_keeps_it(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    pair = await world.one(Pair, Pair.status == "active")
    await world.run(world.mod, "peeradmin safety access", pair=pair.id, reason=REASON, minutes=10)
    assert "but cannot post" in world.sb.messages_in(pair.space_id)[-1].content
    with pytest.raises(SandboxError, match="Missing Permissions"):  # answered as Discord would
        await world.sb.send_as(world.mod, pair.space_id, "just checking")


async def test_a_moderator_in_the_pair_is_refused_and_keeps_their_own_space(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    await world.join(world.mod)
    await world.join(alice)
    await world.run(world.mod, "peeradmin pair", member_a=world.mod, member_b=alice)
    pair = await world.one(Pair, Pair.status == "active")
    before = len(world.sb.messages_in(pair.space_id))
    result = await world.run(world.mod, "peeradmin safety access", pair=pair.id, reason=REASON, minutes=10)
    assert result.ephemeral and one_sentence(result.content), result.content
    assert "yourself" in (result.content or "")
    assert not await world.rows(select(AccessGrant))  # nothing granted, nothing to expire
    assert len(world.sb.messages_in(pair.space_id)) == before  # the partner sees no notice
    posted = await world.sb.send_as(world.mod, pair.space_id, "still my space")  # not made read-only
    assert posted.content == "still my space"
    assert world.sb.can_view(world.mod, pair.space_id)
