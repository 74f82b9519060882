"""Rate limit headers, route buckets, the global limit and injected faults."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord
import pytest

from bot.sandbox import Sandbox

from .conftest import World


async def test_every_answer_has_ratelimit_headers_and_exact_content_type(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bot {sandbox.bot_token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sandbox.api_base}/users/@me", headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
                assert f"X-RateLimit-{name}" in resp.headers
            assert (await resp.json())["id"] == str(sandbox.bot_user.id)
        async with session.get(f"{sandbox.api_base}/users/@me") as resp:
            assert resp.status == 401
            assert await resp.json() == {"message": "401: Unauthorized", "code": 0}


async def test_route_limit_makes_discord_py_wait(world: World) -> None:
    sb = world.sb
    sb.ratelimits.add_route("POST", r"/channels/\d+/messages", limit=2, window=0.5)
    channel = world.client.get_channel(world.guild.system_channel.id)
    assert isinstance(channel, discord.TextChannel)
    # a bucket discord.py has not learnt yet: the first burst meets a 429, then it paces itself
    start = time.monotonic()
    for i in range(5):
        await channel.send(f"message {i}")
    elapsed = time.monotonic() - start
    assert [m.content for m in sb.messages_in(channel.id)] == [f"message {i}" for i in range(5)]
    assert elapsed >= 0.5  # 5 messages through a 2-per-0.5 s bucket take at least two windows
    posted = sb.find_requests("POST", r"/channels/\d+/messages")
    assert all(r.status in (200, 429) for r in posted)
    assert sum(r.status == 200 for r in posted) == 5


async def test_route_429_is_counted_and_retried(world: World) -> None:
    sb = world.sb
    channel = world.client.get_channel(world.guild.system_channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("warm-up")  # discord.py learns a roomy bucket first
    sb.ratelimits.add_route("POST", r"/channels/\d+/messages", limit=2, window=0.5)
    await asyncio.gather(*(channel.send(f"m{i}") for i in range(5)))  # no exception: it waits
    assert len(sb.messages_in(channel.id)) == 6
    posted = sb.find_requests("POST", r"/channels/\d+/messages")
    limited = [r for r in posted if r.status == 429]
    assert limited, "the changed bucket must have produced 429s"
    assert sb.stats.route_429 == len(limited)
    for r in limited:
        assert r.response["global"] is False and r.headers["Via"] and r.headers["X-RateLimit-Scope"] == "user"


async def test_global_limit_answers_429_global(sandbox: Sandbox) -> None:
    sandbox.ratelimits.set_global(per_second=3)
    headers = {"Authorization": f"Bot {sandbox.bot_token}"}
    statuses = []
    async with aiohttp.ClientSession() as session:
        for _ in range(5):
            async with session.get(f"{sandbox.api_base}/users/@me", headers=headers) as resp:
                statuses.append(resp.status)
                if resp.status == 429:
                    body = await resp.json()
                    assert body["global"] is True
                    assert body["message"] == "You are being rate limited."
                    assert body["retry_after"] > 0
                    assert resp.headers["X-RateLimit-Global"] == "true"
                    assert resp.headers["X-RateLimit-Scope"] == "global"
                    assert resp.headers["Via"]
                    assert "Retry-After" in resp.headers
    assert statuses == [200, 200, 200, 429, 429]
    assert sandbox.stats.global_429 == 2


async def test_global_limit_discord_py_waits(world: World) -> None:
    sb = world.sb
    sb.ratelimits.set_global(per_second=2)
    for _ in range(4):
        await world.client.fetch_user(world.alice.id)
    assert sb.stats.global_429 >= 1
    ok = sb.find_requests("GET", r"/users/\d+", status=200)
    assert len(ok) == 4


async def test_500_fault_is_retried(world: World) -> None:
    sb = world.sb
    sb.faults.fail_next("POST", r"/guilds/\d+/channels", status=500, count=1)
    guild = world.client.get_guild(world.guild.id)
    assert guild is not None
    channel = await guild.create_text_channel("after-fault")
    reqs = sb.find_requests("POST", r"/guilds/\d+/channels")
    assert [r.status for r in reqs] == [500, 200]
    assert sb.channel(channel.id).name == "after-fault"
    assert sb.stats.fault_responses == 1


async def test_503_fault_surfaces(world: World) -> None:
    sb = world.sb
    sb.faults.fail_next("GET", r"/users/\d+", status=503, count=1)
    with pytest.raises(discord.DiscordServerError) as err:  # discord.py does not retry a 503
        await world.client.fetch_user(world.alice.id)
    assert err.value.status == 503
