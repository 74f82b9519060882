"""Ending without blame, leaving, a member leaving the server, closed DMs, and restarts."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.pairing.models import Block, MemberProfile, Pair, PairMember
from tests.e2e.conftest import World
from tests.e2e.helpers import CHANNEL_CREATE, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL, eventually
from tests.e2e.test_pairing import pair_up


def overwrite_for(world: World, channel_id: int, target: int) -> dict[str, int] | None:
    return next((o for o in world.sb.channel(channel_id).overwrites if o["id"] == target), None)


async def test_end_is_blameless_and_confidential(world: World) -> None:
    alice, bob, pair = await pair_up(world)
    result = await world.run(alice, "peer end", dont_pair_again=True)
    assert result.ephemeral
    assert "has ended" in (result.content or "")
    assert "won't be told" in (result.content or "")

    # The space stays for both to look back on, read-only.
    assert pair.space_id is not None
    for person in (alice, bob):
        ow = overwrite_for(world, pair.space_id, person.id)
        assert ow is not None
        assert ow["allow"] & VIEW_CHANNEL
        assert ow["allow"] & READ_MESSAGE_HISTORY
        assert ow["deny"] & SEND_MESSAGES
    closing = world.sb.messages_in(pair.space_id)[-1]
    assert "This pairing has ended" in closing.content
    assert str(alice.id) not in closing.content  # the space does not say who ended it

    # Bob is told kindly in a DM, with a button for a new match; nothing names the block.
    dm = world.sb.dms_for(bob)[-1]
    assert "nobody is at fault" in dm.content
    assert "block" not in dm.content.casefold()
    assert "tandem:rematch:" in json.dumps(dm.components)
    assert world.sb.dms_for(alice) == []

    block = await world.one(Block, Block.blocker_id == alice.id)
    assert (block.blocked_id, block.source) == (bob.id, "member")
    ended = await world.one(Pair, Pair.id == pair.id)
    assert (ended.status, ended.end_reason) == ("ended", "member_ended")

    # Rematching never pairs them again.
    await world.run(alice, "peer request")
    again = await world.run(bob, "peer request")
    assert "waitlist" in (again.content or "")


async def test_rematch_button_in_the_dm(world: World) -> None:
    alice, bob, _pair = await pair_up(world)
    carol = world.member("carol")
    await world.join(carol)
    await world.run(carol, "peer request")
    await world.run(alice, "peer end")
    dm = world.sb.dms_for(bob)[-1]
    pressed = await world.sb.press_button(bob, dm, f"tandem:rematch:{world.guild.id}")
    await pressed.wait_done(timeout=10)
    assert pressed.ephemeral
    assert f"<@{carol.id}>" in (pressed.content or "")
    pair = await world.one(Pair, Pair.status == "active")
    assert set(pair.user_ids) == {bob.id, carol.id}


async def test_rematch_button_survives_a_restart(world: World) -> None:
    _alice, bob, _pair = await pair_up(world)
    await world.run(world.mod, "peeradmin unpair", member=bob)
    await world.restart_bot()
    dm = world.sb.dms_for(bob)[-1]
    pressed = await world.sb.press_button(bob, dm, f"tandem:rematch:{world.guild.id}")
    await pressed.wait_done(timeout=10)
    assert "waitlist" in (pressed.content or "")


async def test_end_when_not_paired(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    await world.join(alice)
    result = await world.run(alice, "peer end")
    assert result.content == "You're not paired right now, so there's nothing to end."


async def test_leave_then_delete_data(world: World) -> None:
    alice, bob, _pair = await pair_up(world)
    result = await world.run(alice, "peer leave")
    assert result.ephemeral
    assert "pairing has ended" in (result.content or "")
    buttons = json.dumps(result.messages[-1].components)
    assert "Delete my data" in buttons
    profile = await world.one(MemberProfile, MemberProfile.user_id == alice.id)
    assert profile.opted_in is False
    pressed = await world.sb.press_button(alice, result.messages[-1], "tandem:leave:delete")
    await pressed.wait_done(timeout=10)
    assert "deleted" in (pressed.content or "")
    assert await world.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id)) == []
    assert await world.rows(select(MemberProfile).where(MemberProfile.user_id == bob.id)) != []
    assert "nobody is at fault" in world.sb.dms_for(bob)[-1].content


async def test_leave_and_keep(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    await world.join(alice)
    result = await world.run(alice, "peer leave")
    pressed = await world.sb.press_button(alice, result.messages[-1], "tandem:leave:keep")
    await pressed.wait_done(timeout=10)
    assert "kept" in (pressed.content or "")
    assert (await world.one(MemberProfile, MemberProfile.user_id == alice.id)).opted_in is False
    back = await world.join(alice)
    assert "Welcome" in (back.content or "")


async def test_member_leaving_the_server_ends_the_pair_kindly(world: World) -> None:
    alice, bob, pair = await pair_up(world)
    await world.sb.remove_member(world.guild, bob)

    async def told() -> bool:
        return bool(world.sb.dms_for(alice))

    await eventually(told)
    ended = await world.one(Pair, Pair.id == pair.id)
    assert ended.end_reason == "member_left_server"
    assert "no longer in the server" in world.sb.dms_for(alice)[-1].content
    assert pair.space_id is not None
    assert overwrite_for(world, pair.space_id, bob.id) is None  # if bob rejoins, he cannot see it
    assert overwrite_for(world, pair.space_id, alice.id) is not None


async def test_closed_dms_are_recorded_not_retried(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    bob = world.member("bob", dms_open=False)
    await world.join(alice)
    await world.join(bob)
    await world.run(alice, "peer request")
    await world.run(bob, "peer request")
    await world.run(alice, "peer end")
    refused = [r for r in world.sb.find_requests("POST", r"/channels/\d+/messages") if r.status == 403]
    assert len(refused) == 1
    assert refused[0].response["code"] == 50007
    profile = await world.one(MemberProfile, MemberProfile.user_id == bob.id)
    assert profile.dms_closed is True


async def test_restart_loses_and_repeats_nothing(world: World) -> None:
    alice, bob, pair = await pair_up(world)
    creates = len(world.sb.find_requests("POST", CHANNEL_CREATE))
    await world.restart_bot()
    status = await world.run(alice, "peer status")
    assert f"<#{pair.space_id}>" in (status.content or "")
    again = await world.run(bob, "peer request")
    assert "already paired" in (again.content or "")
    assert len(world.sb.find_requests("POST", CHANNEL_CREATE)) == creates
    assert len(world.sb.messages_in(pair.space_id)) == 1  # the welcome was not posted twice


async def test_restart_rolls_back_a_half_made_pair(world: World) -> None:
    """A crash after the channel was created but before the pair was recorded: rolled back at start."""
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    orphan = world.sb.add_text_channel(world.guild, "pair-0dead1", parent=world.category)
    async with world.sessions.begin() as session:
        pending = Pair(guild_id=world.guild.id, space_name="pair-0dead1", created_by="request", status="pending")
        pending.members.append(PairMember(guild_id=world.guild.id, user_id=alice.id, slot=0))
        pending.members.append(PairMember(guild_id=world.guild.id, user_id=bob.id, slot=0))
        session.add(pending)
    await world.restart_bot()
    deletes = world.sb.find_requests("DELETE", rf"/channels/{orphan.id}")
    assert len(deletes) == 1
    assert await world.rows(select(Pair)) == []
    paired = await world.run(bob, "peer request")
    assert "You're paired" in (paired.content or "")


async def test_no_bot_message_ever_pings_beyond_its_pair(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice, about="@everyone @here <@&1> hello")
    await world.join(bob, tags="everyone")
    await world.run(alice, "peer request")
    await world.run(bob, "peer request")
    await world.run(alice, "peer profile")
    await world.run(alice, "peer status")
    await world.run(world.mod, "peeradmin pairs")
    await world.run(alice, "peer end")
    bodies = []
    for r in world.sb.requests:
        if r.actor != "bot" or r.method not in ("POST", "PATCH") or not isinstance(r.json, dict):
            continue
        body = r.json["data"] if isinstance(r.json.get("data"), dict) else r.json
        if "content" in body or "embeds" in body:
            bodies.append((r.path, body))
    assert len(bodies) >= 8
    for path, body in bodies:
        mentions = body.get("allowed_mentions")
        assert mentions is not None, path
        assert mentions.get("parse", []) == [], path
        assert not mentions.get("roles")
        assert set(map(int, mentions.get("users", []))) <= {alice.id, bob.id}
    for message in world.sb.messages_in(world.guild.system_channel_id, include_ephemeral=True):
        assert not message.mention_everyone


async def test_events_missed_during_a_reconnect_are_replayed(world: World) -> None:
    alice, bob, pair = await pair_up(world)
    await world.sb.drop_bot_connection()
    await world.sb.remove_member(world.guild, bob)  # happens while the bot is reconnecting
    resumed = await world.sb.wait_for_resume(timeout=15)
    assert "GUILD_MEMBER_REMOVE" in resumed.replayed

    async def told() -> bool:
        return bool(world.sb.dms_for(alice))

    await eventually(told, timeout=10)
    ended = await world.one(Pair, Pair.id == pair.id)
    assert ended.end_reason == "member_left_server"
