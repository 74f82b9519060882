"""Discord's error codes through discord.py, and edits of channels, overwrites and messages."""

from __future__ import annotations

import discord
import pytest

from bot.sandbox import permissions as P

from .conftest import World

MISSING_ID = 111111111111111111


def dguild(world: World) -> discord.Guild:
    guild = world.client.get_guild(world.guild.id)
    assert guild is not None
    return guild


async def test_unknown_entities(world: World) -> None:
    client, guild = world.client, dguild(world)
    with pytest.raises(discord.NotFound) as err:
        await client.fetch_guild(MISSING_ID)
    assert err.value.code == 10004
    with pytest.raises(discord.NotFound) as err:
        await guild.fetch_member(MISSING_ID)
    assert err.value.code == 10007
    with pytest.raises(discord.NotFound) as err:
        await client.fetch_user(MISSING_ID)
    assert err.value.code == 10013
    general = guild.system_channel
    assert general is not None
    with pytest.raises(discord.NotFound) as err:
        await general.fetch_message(MISSING_ID)
    assert err.value.code == 10008


async def test_hidden_channel_is_missing_access_and_mute_is_missing_permissions(world: World) -> None:
    sb, guild = world.sb, world.guild
    hidden = sb.add_text_channel(
        guild, "hidden", overwrites=[{"id": guild.bot_role.id, "type": 0, "deny": P.VIEW_CHANNEL}]
    )
    muted = sb.add_text_channel(guild, "muted", overwrites=[{"id": sb.bot_user.id, "type": 1, "deny": P.SEND_MESSAGES}])
    http = world.client.http
    with pytest.raises(discord.Forbidden) as err:
        await http.send_message(hidden.id, params=discord.http.handle_message_parameters(content="x"))
    assert err.value.code == 50001
    with pytest.raises(discord.Forbidden) as err:
        await http.send_message(muted.id, params=discord.http.handle_message_parameters(content="x"))
    assert err.value.code == 50013


async def test_edit_channel_overwrites_and_delete(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    channel = await guild.create_text_channel("space")
    alice = guild.get_member(world.alice.id)
    assert alice is not None
    await channel.set_permissions(guild.me, view_channel=True)
    await channel.set_permissions(guild.default_role, view_channel=False)
    await channel.set_permissions(alice, view_channel=True)
    assert not sb.can_view(world.bob, channel.id) and sb.can_view(world.alice, channel.id)
    overwrites = {o["id"]: o for o in sb.channel(channel.id).overwrites}
    assert overwrites[guild.id]["deny"] == P.VIEW_CHANNEL
    await channel.set_permissions(alice, overwrite=None)
    assert not sb.can_view(world.alice, channel.id)
    await channel.edit(name="Renamed Space", topic="pairs")
    assert sb.channel(channel.id).name == "renamed-space"
    with pytest.raises(discord.HTTPException) as err:
        await channel.edit(name="x" * 101)
    assert err.value.code == 50035
    await channel.delete()
    with pytest.raises(discord.NotFound):
        await world.client.fetch_channel(channel.id)


async def test_message_history_edit_delete(world: World) -> None:
    sb, guild = world.sb, dguild(world)
    general = guild.system_channel
    assert general is not None
    human = await sb.send_as(world.alice, world.guild.system_channel, "hello bot")
    first = await general.send("one")
    await first.edit(content="one!")
    history = [m.content async for m in general.history(limit=10)]
    assert history == ["one!", "hello bot"]
    fetched = await general.fetch_message(human.id)
    with pytest.raises(discord.Forbidden) as err:
        await fetched.edit(content="hijack")
    assert err.value.code == 50005
    await first.delete()
    assert [m.content for m in sb.messages_in(general.id)] == ["hello bot"]


async def test_followup_edit_and_delete_by_id(world: World) -> None:
    sb = world.sb
    res = await sb.invoke(world.guild, world.alice, "peer progress")
    await res.wait_done(timeout=5)
    await sb.wait_for_request("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
    token = res.token
    http = world.client.http
    base = f"/webhooks/{sb.application_id}/{token}/messages"
    route = discord.http.Route("GET", base + "/@original")
    data = await http.request(route)
    assert data["content"] == "done: 3 goals"
    assert data["interaction_metadata"]["user"]["id"] == str(world.alice.id)
    await http.request(discord.http.Route("DELETE", base + "/" + data["id"]))
    assert res.messages == []
    with pytest.raises(discord.NotFound) as err:
        await http.request(route)
    assert err.value.code == 10008
