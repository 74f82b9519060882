"""Gateway: READY and guild cache, RESUME with replay, member events."""

from __future__ import annotations

import discord
import pytest

from .conftest import World, wait_for


async def test_ready_fills_guild_cache(world: World) -> None:
    client, guild = world.client, world.guild
    cached = client.get_guild(guild.id)
    assert cached is not None
    assert cached.me is not None and cached.me.id == world.sb.bot_user.id
    assert cached.member_count == len(guild.members) == len(cached.members)
    assert cached.get_member(world.alice.id) is not None
    assert [c.name for c in cached.text_channels] == ["general"]
    assert cached.system_channel is not None and cached.system_channel.id == guild.system_channel.id
    assert cached.me.guild_permissions.manage_channels
    assert not cached.me.guild_permissions.administrator
    assert world.sb.gateway.identifies == 1


async def test_command_sync_recorded(world: World) -> None:
    sb, guild = world.sb, world.guild
    reqs = sb.find_requests("PUT", rf"/applications/{sb.application_id}/guilds/{guild.id}/commands")
    assert len(reqs) == 1 and reqs[0].status == 200
    names = {c["name"] for c in reqs[0].response}
    assert names == {"peer", "peeradmin"}
    assert all(c["id"].isdigit() and c["version"].isdigit() for c in reqs[0].response)
    admin = next(c for c in guild.commands.values() if c.name == "peeradmin")
    assert admin.default_member_permissions == discord.Permissions(manage_guild=True).value


async def test_member_removed_fires_on_member_remove(world: World) -> None:
    await world.sb.remove_member(world.guild, world.alice)
    await wait_for(lambda: world.alice.id in world.rec.removed)
    assert world.client.get_guild(world.guild.id).get_member(world.alice.id) is None  # type: ignore[union-attr]


async def test_member_added_live(world: World) -> None:
    carol = await world.sb.add_member_live(world.guild, "carol")
    await wait_for(lambda: carol.id in world.rec.joined)


async def test_drop_connection_resumes_and_replays(world: World) -> None:
    sb = world.sb
    await sb.drop_bot_connection()
    # dispatched while the bot is disconnected: buffered, then replayed on RESUME
    await sb.remove_member(world.guild, world.bob)
    record = await sb.wait_for_resume(timeout=10)
    assert "GUILD_MEMBER_REMOVE" in record.replayed
    await wait_for(lambda: world.bob.id in world.rec.removed)
    assert sb.gateway.identifies == 1  # resumed, not re-identified


async def test_channel_deleted_by_admin(world: World) -> None:
    sb = world.sb
    channel = sb.add_text_channel(world.guild, "temp")
    await wait_for(lambda: world.client.get_channel(channel.id) is not None)
    await sb.delete_channel(channel)
    await wait_for(lambda: channel.id in world.rec.channels_deleted)


async def test_bad_token_is_refused(sandbox) -> None:  # type: ignore[no-untyped-def]
    client = discord.Client(intents=discord.Intents.default())
    from bot.sandbox.client import point_discord_py

    point_discord_py(sandbox.api_base, sandbox.gateway_url)
    try:
        await client.login("not-the-token")
    except discord.LoginFailure:
        pass
    else:  # pragma: no cover - the test must fail if login succeeds
        raise AssertionError("login with a wrong token succeeded")
    finally:
        await client.close()


async def test_disallowed_privileged_intent_closes_4014(sandbox) -> None:  # type: ignore[no-untyped-def]
    from bot.sandbox.client import point_discord_py

    sandbox.add_guild("G")
    sandbox.gateway.allowed_privileged_intents = 0
    intents = discord.Intents.default()
    intents.members = True
    client = discord.Client(intents=intents)
    point_discord_py(sandbox.api_base, sandbox.gateway_url)
    await client.login(sandbox.bot_token)
    try:
        with pytest.raises(discord.ConnectionClosed) as err:
            await client.connect(reconnect=False)
        assert err.value.code == 4014
    finally:
        await client.close()


async def test_standalone_entry_point() -> None:
    import asyncio
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox",
        "--port",
        "0",
        "--demo-guild",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        lines = [(await asyncio.wait_for(proc.stdout.readline(), 10)).decode() for _ in range(5)]
        assert lines[0].startswith("api_base=http://127.0.0.1:")
        assert lines[1].startswith("gateway_url=ws://127.0.0.1:")
        assert lines[2].startswith("bot_token=")
        assert "Rainbow Peers" in lines[4]
    finally:
        proc.terminate()
        await proc.wait()
