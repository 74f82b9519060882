"""Where pair spaces go when Discord says no: missing permissions, a deleted category, full limits."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.pairing.models import GuildSettings, Pair, PairMember
from bot.sandbox.permissions import Overwrite
from tests.e2e.conftest import World
from tests.e2e.helpers import CHANNEL_CREATE

VIEW_AND_SEND = (1 << 10) | (1 << 11)


async def waiting_pair(world: World, **setup: object) -> tuple[object, object]:
    await world.setup(**setup)
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.run(alice, "peer request")  # nobody else yet: alice waits
    await world.join(bob)
    return alice, bob


async def nothing_half_made(world: World) -> None:
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Pair)) == 0
        assert await session.scalar(select(func.count()).select_from(PairMember)) == 0
    pair_channels = [c for c in world.guild.channels.values() if c.name.startswith("pair-")]
    assert pair_channels == []


async def test_missing_manage_channels_leaves_nothing_half_made(world: World) -> None:
    _alice, bob = await waiting_pair(world)
    world.sb.set_bot_permissions(world.guild, VIEW_AND_SEND)
    result = await world.run(bob, "peer request")
    assert result.ephemeral
    assert result.content == (
        "I couldn't open a private space for this pairing right now, so nothing was changed; "
        "the moderators have been told what to fix."
    )
    await nothing_half_made(world)
    log = world.sb.messages_in(world.log)
    assert len(log) == 1
    assert "Manage Channels" in log[0].content
    assert log[0].allowed_mentions == {"parse": []}
    # Both are still waiting, and pairing works once the permission is back.
    world.sb.set_bot_permissions(world.guild, VIEW_AND_SEND | (1 << 4) | (1 << 28) | (1 << 16) | (1 << 14))
    again = await world.run(bob, "peer request")
    assert "You're paired" in (again.content or "")


async def test_discord_refusal_is_handled_too(world: World) -> None:
    """The bot has Manage Channels server-wide, but a category overwrite takes it away: Discord says 50013."""
    _alice, bob = await waiting_pair(world)
    world.category.overwrite_map[world.guild.bot_role_id] = Overwrite(world.guild.bot_role_id, 0, 0, 1 << 4)
    result = await world.run(bob, "peer request")
    assert "nothing was changed" in (result.content or "")
    refused = world.sb.find_requests("POST", CHANNEL_CREATE)
    assert [r.status for r in refused] == [403]
    assert refused[0].response["code"] == 50013
    await nothing_half_made(world)
    assert "Missing Permissions" in world.sb.messages_in(world.log)[-1].content


async def test_deleted_category_without_hub_tells_moderators(world: World) -> None:
    await world.setup()
    await world.run(world.mod, "peeradmin setup", topics="writing")  # keeps category, no hub change
    async with world.sessions() as session, session.begin():
        settings = await session.get(GuildSettings, world.guild.id)
        assert settings is not None
        settings.hub_channel_id = None
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.sb.delete_channel(world.category)
    result = await world.run(bob, "peer request")
    assert "nothing was changed" in (result.content or "")
    await nothing_half_made(world)
    assert "no longer exists" in world.sb.messages_in(world.log)[-1].content


async def test_deleted_category_falls_back_to_a_private_thread(world: World) -> None:
    alice, bob = await waiting_pair(world)
    await world.sb.delete_channel(world.category)
    result = await world.run(bob, "peer request")
    assert "You're paired" in (result.content or "")
    pair = (await world.rows(select(Pair)))[0]
    assert pair.space_kind == "thread"
    thread = world.sb.channel(pair.space_id)
    assert thread.type == 12  # private thread
    assert thread.parent_id == world.hub.id
    assert not thread.invitable
    assert set(thread.members) >= {alice.id, bob.id}
    assert world.sb.can_view(alice, thread.id)
    assert not world.sb.can_view(world.member("carol"), thread.id)


async def test_guild_at_channel_limit_uses_threads(world: World) -> None:
    _alice, bob = await waiting_pair(world)
    world.sb.limits.max_guild_channels = len([c for c in world.guild.channels.values() if not c.is_thread])
    result = await world.run(bob, "peer request")
    assert "You're paired" in (result.content or "")
    pair = (await world.rows(select(Pair)))[0]
    assert pair.space_kind == "thread"
    assert world.sb.channel(pair.space_id).parent_id == world.hub.id


async def test_full_category_spills_into_a_new_one(world: World) -> None:
    await world.setup()
    world.sb.limits.max_category_channels = 1
    people = [world.member(n) for n in ("p1", "p2", "p3", "p4")]
    for person in people:
        await world.join(person)
        await world.run(person, "peer request")
    pairs = await world.rows(select(Pair).where(Pair.status == "active"))
    assert len(pairs) == 2
    parents = {world.sb.channel(p.space_id).parent_id for p in pairs}
    assert world.category.id in parents
    overflow = (parents - {world.category.id}).pop()
    category = world.sb.channel(overflow)
    assert category.type == 4
    assert category.name == "Peer Spaces 2"
    settings = await world.one(GuildSettings, GuildSettings.guild_id == world.guild.id)
    assert settings.overflow_category_ids == [overflow]
