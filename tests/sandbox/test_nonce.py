"""Message nonces with ``enforce_nonce``: a resend within a few minutes returns the first message."""

from __future__ import annotations

import discord
import pytest

from .conftest import World


async def test_enforced_nonce_deduplicates_a_resend(world: World) -> None:
    channel = world.client.get_partial_messageable(world.guild.system_channel.id, guild_id=world.guild.id)
    first = await channel.send("Check-in time", nonce="delivery-42")  # discord.py sets enforce_nonce
    again = await channel.send("Check-in time", nonce="delivery-42")
    assert again.id == first.id
    assert [m.content for m in world.sb.messages_in(world.guild.system_channel)].count("Check-in time") == 1
    assert world.sb.messages_in(world.guild.system_channel)[-1].nonce == "delivery-42"
    other = await channel.send("Check-in time", nonce="delivery-43")
    assert other.id != first.id


async def test_nonce_window_expires(world: World) -> None:
    world.sb.limits.nonce_seconds = 0.0
    channel = world.client.get_partial_messageable(world.guild.system_channel.id, guild_id=world.guild.id)
    first = await channel.send("hello", nonce="n-1")
    again = await channel.send("hello", nonce="n-1")
    assert again.id != first.id


async def test_nonce_in_a_dm_and_too_long(world: World) -> None:
    user = await world.client.fetch_user(world.alice.id)
    dm = await user.create_dm()
    first = await dm.send("hi", nonce="dm-1")
    assert (await dm.send("hi", nonce="dm-1")).id == first.id
    assert len(world.sb.dms_for(world.alice)) == 1
    with pytest.raises(discord.HTTPException) as err:
        await dm.send("hi", nonce="x" * 26)
    assert err.value.code == 50035
