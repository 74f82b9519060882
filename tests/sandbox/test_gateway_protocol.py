"""The gateway protocol spoken directly: HELLO, IDENTIFY errors, heartbeats, intents, RESUME."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Sandbox

GUILDS, GUILD_MEMBERS = 1 << 0, 1 << 1


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def recv(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    msg = await asyncio.wait_for(ws.receive(), 5)
    assert msg.type == aiohttp.WSMsgType.TEXT, msg
    return msg.json()  # type: ignore[no-any-return]


async def identify(ws: aiohttp.ClientWebSocketResponse, token: str, intents: int) -> list[dict[str, Any]]:
    await ws.send_json({"op": 2, "d": {"token": token, "intents": intents, "properties": {}}})
    frames = [await recv(ws)]
    while frames[-1]["t"] != "GUILD_CREATE" or len(frames) < 2:
        frames.append(await recv(ws))
    return frames


async def test_hello_heartbeat_and_bad_token(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    url = sandbox.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
    async with http.ws_connect(url) as ws:
        hello = await recv(ws)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
        await ws.send_json({"op": 1, "d": None})
        assert (await recv(ws))["op"] == 11
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 4004


async def test_ready_guild_create_and_member_intent(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    guild = sandbox.add_guild("G")
    sandbox.add_member(guild, "alice")
    async with http.ws_connect(sandbox.gateway_url) as ws:
        await recv(ws)
        ready, created = await identify(ws, sandbox.bot_token, GUILDS)
        assert ready["t"] == "READY" and ready["s"] == 1
        assert ready["d"]["resume_gateway_url"] == sandbox.gateway_url
        assert ready["d"]["guilds"] == [{"id": str(guild.id), "unavailable": True}]
        assert ready["d"]["application"]["id"] == str(sandbox.application_id)
        # without GUILD_MEMBERS only the bot itself is sent, and member events are withheld
        assert [m["user"]["id"] for m in created["d"]["members"]] == [str(sandbox.bot_user.id)]
        assert created["d"]["member_count"] == 3
        sandbox.add_member(guild, "bob")
        sandbox.add_text_channel(guild, "new")
        nxt = await recv(ws)
        assert nxt["t"] == "CHANNEL_CREATE"


async def test_resume_replays_and_unknown_session_is_invalid(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    guild = sandbox.add_guild("G")
    async with http.ws_connect(sandbox.gateway_url) as ws:
        await recv(ws)
        ready, created = await identify(ws, sandbox.bot_token, GUILDS | GUILD_MEMBERS)
        assert len(created["d"]["members"]) == created["d"]["member_count"] == 2
        session_id, seq = ready["d"]["session_id"], created["s"]
    await asyncio.sleep(0.05)
    carol = sandbox.add_member(guild, "carol")  # while disconnected
    async with http.ws_connect(sandbox.gateway_url) as ws:
        await recv(ws)
        await ws.send_json({"op": 6, "d": {"token": sandbox.bot_token, "session_id": session_id, "seq": seq}})
        replayed = await recv(ws)
        assert replayed["t"] == "GUILD_MEMBER_ADD" and replayed["d"]["user"]["id"] == str(carol.id)
        assert replayed["s"] == seq + 1
        assert (await recv(ws))["t"] == "RESUMED"
    async with http.ws_connect(sandbox.gateway_url) as ws:
        await recv(ws)
        await ws.send_json({"op": 6, "d": {"token": sandbox.bot_token, "session_id": "nope", "seq": 1}})
        invalid = await recv(ws)
        assert invalid["op"] == 9 and invalid["d"] is False
