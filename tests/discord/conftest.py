"""The Discord adapter bound to a plain discord.py client connected to a fresh sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest

from bot.discord.adapter import DiscordAdapter
from bot.sandbox import Channel, Guild, Member, Sandbox
from bot.sandbox.client import restore_discord_py, start_client, stop_client


@dataclass
class Linked:
    sb: Sandbox
    guild: Guild
    alice: Member
    bob: Member  # DMs closed
    space: Channel
    log: Channel
    adapter: DiscordAdapter


@pytest.fixture
async def linked() -> AsyncIterator[Linked]:
    async with Sandbox() as sb:
        guild = sb.add_guild("Rainbow Peers")
        alice = sb.add_member(guild, "alice")
        bob = sb.add_member(guild, "bob", dms_open=False)
        space = sb.add_text_channel(guild, "pair-space")
        log = sb.add_text_channel(  # moderators only: the adapter posts nothing in a log channel others see
            guild,
            "tandem-log",
            overwrites=[
                {"id": guild.id, "type": 0, "allow": 0, "deny": 1 << 10},
                {"id": sb.bot_user.id, "type": 1, "allow": (1 << 10) | (1 << 11), "deny": 0},
            ],
        )
        intents = discord.Intents.none()
        intents.guilds = True
        intents.members = True
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)
        adapter = DiscordAdapter()
        adapter.bind(client)
        task = await start_client(client, sb.api_base, sb.gateway_url, sb.bot_token)
        try:
            yield Linked(sb, guild, alice, bob, space, log, adapter)
        finally:
            await stop_client(client, task)
    restore_discord_py()
