"""REST through discord.py: channels, overwrites, limits, threads, DMs, message limits."""

from __future__ import annotations

import discord
import pytest

from bot.sandbox import SandboxError
from bot.sandbox import permissions as P

from .conftest import World


def dguild(world: World) -> discord.Guild:
    guild = world.client.get_guild(world.guild.id)
    assert guild is not None
    return guild


async def test_channel_with_overwrites_visibility(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    alice = guild.get_member(world.alice.id)
    assert alice is not None
    overwrites = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        alice: discord.PermissionOverwrite(view_channel=True, send_messages=True),
        guild.me: discord.PermissionOverwrite(view_channel=True),
    }
    channel = await guild.create_text_channel("Pair Space 1", overwrites=overwrites)
    assert channel.name == "pair-space-1"
    recorded = sb.channel(channel.id)
    assert {o["id"] for o in recorded.overwrites} == {guild.id, alice.id, sb.bot_user.id}
    assert sb.can_view(world.alice, channel.id)
    assert not sb.can_view(world.bob, channel.id)
    with pytest.raises(SandboxError) as err:
        sb.read_messages_as(world.bob, channel.id)
    assert err.value.code == 50001
    # the owner is an administrator in effect and sees everything
    assert sb.can_view(world.guild.owner, channel.id)


async def test_missing_manage_channels_is_forbidden(world: World) -> None:
    world.sb.set_bot_permissions(world.guild, P.VIEW_CHANNEL | P.SEND_MESSAGES)
    with pytest.raises(discord.Forbidden) as err:
        await dguild(world).create_text_channel("nope")
    assert err.value.code == 50013
    assert world.sb.find_requests("POST", r"/guilds/\d+/channels")[-1].status == 403


async def test_cannot_grant_permission_bot_lacks(world: World) -> None:
    guild = dguild(world)
    overwrites = {guild.default_role: discord.PermissionOverwrite(administrator=True)}
    with pytest.raises(discord.Forbidden) as err:
        await guild.create_text_channel("grant", overwrites=overwrites)
    assert err.value.code == 50013


async def test_guild_channel_limit_30013(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    sb.limits.max_guild_channels = 3  # "general" exists already
    await guild.create_text_channel("one")
    await guild.create_text_channel("two")
    with pytest.raises(discord.HTTPException) as err:
        await guild.create_text_channel("three")
    assert err.value.code == 30013
    assert err.value.status == 400


async def test_category_limit(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    sb.limits.max_category_channels = 2
    category = await guild.create_category("Peer Spaces")
    await guild.create_text_channel("a", category=category)
    await guild.create_text_channel("b", category=category)
    with pytest.raises(discord.HTTPException) as err:
        await guild.create_text_channel("c", category=category)
    assert err.value.code == 50035
    assert "Maximum number of channels in category reached" in str(err.value)
    body = sb.find_requests("POST", r"/guilds/\d+/channels")[-1].response
    assert body["errors"]["parent_id"]["_errors"][0]["code"] == "CHANNEL_PARENT_MAX_CHANNELS"


async def test_private_thread_and_member(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    general = guild.system_channel
    assert general is not None
    thread = await general.create_thread(name="pair-7", type=discord.ChannelType.private_thread, invitable=False)
    assert thread.type == discord.ChannelType.private_thread
    alice = guild.get_member(world.alice.id)
    assert alice is not None
    await thread.add_user(alice)
    recorded = sb.channel(thread.id)
    assert recorded.type == 12 and set(recorded.members) == {sb.bot_user.id, alice.id}
    assert sb.can_view(world.alice, thread.id)
    assert not sb.can_view(world.bob, thread.id)
    assert len(world.guild.guild_channels()) == 1  # threads do not count as channels


async def test_dm_ok_and_closed_dms_50007(world: World) -> None:
    sb = world.sb
    alice = await world.client.fetch_user(world.alice.id)
    await alice.send("Your check-in is due")
    assert [m.content for m in sb.dms_for(world.alice)] == ["Your check-in is due"]
    bob = await world.client.fetch_user(world.bob.id)
    with pytest.raises(discord.Forbidden) as err:
        await bob.send("hello")
    assert err.value.code == 50007
    assert sb.dms_for(world.bob) == []


async def test_content_limit_and_mentions(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    general = guild.system_channel
    assert general is not None
    with pytest.raises(discord.HTTPException) as err:
        await general.send("x" * 2001)
    assert err.value.code == 50035
    msg = await general.send(
        f"hi <@{world.alice.id}> @everyone",
        allowed_mentions=discord.AllowedMentions(everyone=False, users=True),
    )
    recorded = sb.messages_in(general.id)[-1]
    assert recorded.id == msg.id
    assert recorded.mentions == [world.alice.id]
    assert not recorded.mention_everyone
    assert recorded.allowed_mentions is not None and "everyone" not in recorded.allowed_mentions["parse"]
    with pytest.raises(discord.HTTPException) as err:
        await general.send(
            embed=discord.Embed(description="y" * 4096, title="t" * 256)
            .add_field(name="n", value="v" * 1024)
            .add_field(name="n", value="v" * 1024)
        )
    assert err.value.code == 50035


async def test_unknown_channel_10003(world: World) -> None:
    with pytest.raises(discord.NotFound) as err:
        await world.client.fetch_channel(123456789012345678)
    assert err.value.code == 10003
