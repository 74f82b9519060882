"""A small discord.py bot connected to a fresh sandbox for each test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.sandbox import Guild, Member, Sandbox
from bot.sandbox.client import restore_discord_py, start_client, stop_client

from .raw import PING_COMMAND, Raw

TIMEZONES = ["Europe/Berlin", "Europe/Paris", "America/New_York", "Asia/Tokyo"]


class AboutModal(discord.ui.Modal, title="About you"):
    about = discord.ui.TextInput(label="About", custom_id="about", max_length=200)
    name = discord.ui.Label(text="Pronouns", component=discord.ui.TextInput(custom_id="pronouns", required=False))

    def __init__(self, sink: list[dict[str, str]]) -> None:
        super().__init__()
        self.sink = sink

    async def on_submit(self, interaction: discord.Interaction) -> None:
        pronouns = self.name.component
        assert isinstance(pronouns, discord.ui.TextInput)
        self.sink.append({"about": self.about.value, "pronouns": pronouns.value})
        await interaction.response.send_message(f"Saved: {self.about.value}", ephemeral=True)


class ConfirmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content=f"Confirmed by {interaction.user.name}", view=None)


class TopicSelect(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.select(
        custom_id="topics",
        min_values=1,
        max_values=2,
        options=[
            discord.SelectOption(label="Careers", value="careers"),
            discord.SelectOption(label="Coming out", value="coming-out"),
            discord.SelectOption(label="Studies", value="studies"),
        ],
    )
    async def topics(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message("Topics: " + ", ".join(select.values), ephemeral=True)


@dataclass
class Recorder:
    removed: list[int] = field(default_factory=list)
    joined: list[int] = field(default_factory=list)
    channels_deleted: list[int] = field(default_factory=list)
    modal_values: list[dict[str, str]] = field(default_factory=list)
    event: asyncio.Event = field(default_factory=asyncio.Event)


def build_bot(guild_id: int, rec: Recorder) -> discord.Client:
    intents = discord.Intents.default()
    intents.members = True
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    tree = app_commands.CommandTree(client)
    peer = app_commands.Group(name="peer", description="Peer support")

    @peer.command(name="join", description="Join the program")
    @app_commands.describe(timezone="Your timezone")
    @app_commands.choices(
        role=[
            app_commands.Choice(name="peer", value="peer"),
            app_commands.Choice(name="mentor", value="mentor"),
        ]
    )
    async def join(interaction: discord.Interaction, role: str, timezone: str) -> None:
        await interaction.response.send_message(f"Joined as {role} in {timezone}", ephemeral=True)

    @join.autocomplete("timezone")
    async def tz_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TIMEZONES if t.lower().startswith(current.lower())]

    @peer.command(name="status", description="Your status")
    async def status(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send("You are paired", ephemeral=True)

    @peer.command(name="profile", description="Edit your profile")
    async def profile(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AboutModal(rec.modal_values))

    @peer.command(name="progress", description="Progress")
    async def progress(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("working…")
        await interaction.edit_original_response(content="done: 3 goals")

    @peer.command(name="confirm", description="Confirm a pairing")
    async def confirm(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Confirm?", view=ConfirmView())

    @peer.command(name="twice", description="answers twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        with contextlib.suppress(discord.InteractionResponded):
            await interaction.response.send_message("second")  # discord.py itself refuses
        route = discord.http.Route(
            "POST", "/interactions/{iid}/{token}/callback", iid=interaction.id, token=interaction.token
        )
        try:
            await interaction.client.http.request(route, json={"type": 4, "data": {"content": "again"}})
        except discord.HTTPException as exc:
            await interaction.followup.send(f"error {exc.code}")

    @peer.command(name="space", description="Pick a space")
    async def space(interaction: discord.Interaction, channel: discord.TextChannel, topic: str) -> None:
        await interaction.response.send_message(f"{channel.name}:{topic}", view=TopicSelect())

    admin = app_commands.Group(
        name="peeradmin", description="Moderation", default_permissions=discord.Permissions(manage_guild=True)
    )

    @admin.command(name="pair", description="Pair two members")
    async def pair(interaction: discord.Interaction, first: discord.Member, second: discord.Member) -> None:
        await interaction.response.send_message(f"Paired {first.name} and {second.name}", ephemeral=True)

    tree.add_command(peer)
    tree.add_command(admin)

    async def setup_hook() -> None:
        target = discord.Object(guild_id)
        tree.copy_global_to(guild=target)
        await tree.sync(guild=target)

    client.setup_hook = setup_hook  # type: ignore[method-assign]

    @client.event
    async def on_member_remove(member: discord.Member) -> None:
        rec.removed.append(member.id)
        rec.event.set()

    @client.event
    async def on_member_join(member: discord.Member) -> None:
        rec.joined.append(member.id)
        rec.event.set()

    @client.event
    async def on_guild_channel_delete(channel: discord.abc.GuildChannel) -> None:
        rec.channels_deleted.append(channel.id)
        rec.event.set()

    client.tree = tree  # type: ignore[attr-defined]
    return client


@dataclass
class World:
    sb: Sandbox
    guild: Guild
    alice: Member
    bob: Member
    client: discord.Client
    rec: Recorder


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sb:
        yield sb
    restore_discord_py()


@pytest.fixture
async def world(sandbox: Sandbox) -> AsyncIterator[World]:
    sb = sandbox
    guild = sb.add_guild("Rainbow Peers")
    mentors = sb.add_role(guild, "Mentor Team")
    alice = sb.add_member(guild, "alice", roles=[mentors])
    bob = sb.add_member(guild, "bob", dms_open=False)
    rec = Recorder()
    client = build_bot(guild.id, rec)
    task = await start_client(client, sb.api_base, sb.gateway_url, sb.bot_token)
    await sb.wait_until_ready(timeout=5)
    await sb.wait_for_commands(guild, timeout=5)
    yield World(sb, guild, alice, bob, client, rec)
    await stop_client(client, task)


@pytest.fixture
async def raw(sandbox: Sandbox) -> AsyncIterator[Raw]:
    """The sandbox without a bot: a guild, a member and a synced ``/ping``, driven over plain HTTP."""
    guild = sandbox.add_guild("Rainbow Peers")
    alice = sandbox.add_member(guild, "alice")
    async with aiohttp.ClientSession() as session:
        r = Raw(sandbox, session, guild, alice)
        status, _ = await r.sync([PING_COMMAND])
        assert status == 200
        yield r


async def wait_for(predicate: Any, limit: float = 5) -> None:
    """Poll a condition on the bot's side (discord.py's cache or the recorder)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.01)
