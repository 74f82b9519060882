"""Discord's timing: the per-channel message bucket, the 3-second first response, REST latency.

The clock is injected (``Sandbox(clock=...)``) and so is the latency's sleep: nothing here waits on
the wall clock or depends on the machine's speed.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from bot.sandbox import Sandbox
from bot.sandbox.client import restore_discord_py
from bot.sandbox.timing import Latency

from .conftest import World
from .raw import PING_COMMAND, FakeClock, Raw

MESSAGES = r"/channels/\d+/messages"


@pytest.fixture
async def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def timed(clock: FakeClock) -> AsyncIterator[Raw]:
    """A bot-less sandbox on a fake clock whose latency sleeps advance that clock."""
    async with Sandbox(clock=clock, latency=Latency(sleep=clock.sleep)) as sb:
        guild = sb.add_guild("Rainbow Peers")
        alice = sb.add_member(guild, "alice")
        async with aiohttp.ClientSession() as session:
            raw = Raw(sb, session, guild, alice)
            assert (await raw.sync([PING_COMMAND]))[0] == 200
            yield raw
    restore_discord_py()


async def test_five_messages_per_five_seconds_per_channel(timed: Raw, clock: FakeClock) -> None:
    sb, general = timed.sb, timed.guild.system_channel
    other = sb.add_text_channel(timed.guild, "other")
    assert sb.ratelimits.channel_messages == (5, 5.0)
    for i in range(5):
        assert (await timed.send(general.id, {"content": str(i)}))[0] == 200
    clock.advance(4.0)
    status, body = await timed.send(general.id, {"content": "sixth"})
    assert status == 429 and body["global"] is False
    assert body["retry_after"] == pytest.approx(1.0)
    refused = sb.find_requests("POST", MESSAGES, status=429)[0]
    assert refused.headers["X-RateLimit-Remaining"] == "0" and refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Scope"] == "user" and "Via" in refused.headers
    assert (await timed.send(other.id, {"content": "elsewhere"}))[0] == 200  # a bucket per channel
    clock.advance(1.0)
    assert (await timed.send(general.id, {"content": "sixth"}))[0] == 200
    assert [m.content for m in sb.messages_in(general)] == ["0", "1", "2", "3", "4", "sixth"]
    assert sb.stats.route_429 == 1


async def test_message_bucket_is_configurable() -> None:
    async with Sandbox(message_bucket=None) as off, Sandbox(message_bucket=(2, 0.5)) as tight:
        assert off.ratelimits.channel_messages is None
        assert tight.ratelimits.channel_messages == (2, 0.5)
        tight.ratelimits.add_route("GET", r"/users/@me", limit=1, window=1.0)
        tight.ratelimits.clear()  # a test's own buckets go, Discord's stay
        assert tight.ratelimits.channel_messages == (2, 0.5)


async def test_discord_py_waits_out_the_channel_bucket(world: World) -> None:
    sb = world.sb
    sb.ratelimits.set_channel_messages(2, 0.3)
    channel = world.client.get_channel(world.guild.system_channel.id)
    assert isinstance(channel, discord.TextChannel)
    start = time.monotonic()
    for i in range(5):
        await channel.send(f"m{i}")
    assert [m.content for m in sb.messages_in(channel.id)] == [f"m{i}" for i in range(5)]
    assert time.monotonic() - start >= 0.6  # five messages through a 2-per-0.3 s bucket span 2 windows
    assert all(r.status in (200, 429) for r in sb.find_requests("POST", MESSAGES))


async def test_first_response_within_three_seconds(timed: Raw, clock: FakeClock) -> None:
    in_time = await timed.interaction()
    clock.advance(2.99)
    assert (await timed.respond(in_time, 4, {"content": "hi"}))[0] == 200
    late = await timed.interaction()
    clock.advance(3.01)
    status, body = await timed.respond(late, 4, {"content": "hi"})
    assert (status, body) == (404, {"message": "Unknown interaction", "code": 10062})
    assert not late.acknowledged


async def test_latency_counts_toward_the_window(timed: Raw, clock: FakeClock) -> None:
    sb = timed.sb
    sb.latency.add_route("POST", MESSAGES, 2.5)  # slow message sends do not slow an acknowledgement
    rec = await timed.interaction()
    assert (await timed.send(timed.guild.system_channel.id, {"content": "slow"}))[0] == 200
    assert clock() - rec.created == pytest.approx(2.5)
    assert (await timed.respond(rec, 5))[0] == 200
    sb.latency.clear_routes()
    sb.latency.add_route("POST", r"/interactions/\d+/[^/]+/callback", 6.2)  # 3.1 s on the way in
    late = await timed.interaction()
    status, body = await timed.respond(late, 5)
    assert (status, body["code"]) == (404, 10062)
    assert clock() - late.created == pytest.approx(6.2)


async def test_latency_jitter_is_drawn_per_call_and_split_around_the_handler() -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    latency = Latency(0.020, 0.050, seed=7, sleep=record)
    async with Sandbox(latency=latency) as sb, aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {sb.bot_token}"}
        for _ in range(3):
            async with session.get(f"{sb.api_base}/users/@me", headers=headers) as resp:
                assert resp.status == 200
    expected = Latency(0.020, 0.050, seed=7)
    draws = [expected.draw("GET", "/users/@me") for _ in range(3)]
    assert len(set(draws)) == 3 and all(0.020 <= d <= 0.050 for d in draws)
    assert slept == pytest.approx([part for d in draws for part in (d / 2, d - d / 2)])
    assert Sandbox().latency.draw("GET", "/users/@me") == 0.0  # off by default
    realistic = Latency.realistic(seed=1)
    assert (realistic.low, realistic.high) == (0.020, 0.050)


async def test_with_latency_an_interaction_is_done_only_once_discord_py_has_the_answer(world: World) -> None:
    sb = world.sb
    sb.latency.set(0.05)  # half of it after the sandbox handled the callback
    opened = await sb.invoke(world.guild, world.alice, "peer profile")
    await opened.wait_done(timeout=5)
    # discord.py registers the modal only when its callback returns; submitting sooner would be lost
    saved = await sb.submit_modal(world.alice, opened, {"about": "I write", "pronouns": "they"})
    await saved.wait_done(timeout=5)
    assert saved.content == "Saved: I write"
    assert world.rec.modal_values == [{"about": "I write", "pronouns": "they"}]
