"""/peeradmin access, retention, stats: break-glass viewing, how long ended spaces stay, program numbers."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.safety.access import DEFAULT_MINUTES
from bot.safety.retention import NOTICE_BEFORE
from bot.safety.stats import render_chart
from cogs.common.base import CogBase
from cogs.common.replies import fit, guild_of, reply, timestamp

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class AdminProgramCommands(CogBase):
    @app_commands.command(name="access", description="Break-glass: read one pair's space for a while; the pair is told")
    @app_commands.describe(
        pair="The pair id (from /peeradmin pairs)",
        reason="Why you need to look; shown to the pair and kept in the audit log",
        minutes=f"How long, from 1 to 1440 minutes (default {DEFAULT_MINUTES})",
    )
    async def access(
        self, interaction: discord.Interaction[TandemBot], pair: int, reason: str, minutes: int | None = None
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        grant = await self.bot.access.grant(
            guild.id, pair, interaction.user.id, reason, minutes if minutes is not None else DEFAULT_MINUTES
        )
        await reply(
            interaction,
            f"You can read pair #{grant.pair_id}'s space until {timestamp(grant.expires_at, 'f')}; "
            "the pair has been told who is looking and why.",
        )

    @app_commands.command(name="retention", description="Delete ended pairs' spaces after some days (0: keep them)")
    @app_commands.describe(days="Days after a pairing ends; 0 keeps ended spaces")
    async def retention(self, interaction: discord.Interaction[TandemBot], days: int) -> None:
        kept = await self.bot.retention.set_days(guild_of(interaction).id, days)
        if kept is None:
            await reply(interaction, "Ended pairs' spaces are kept; Tandem won't delete them.")
            return
        await reply(
            interaction,
            f"Ended pairs' spaces, and what Tandem stored about those pairings, are deleted {kept} days after "
            f"the pairing ends; the pair is told in their space {NOTICE_BEFORE.days} days before.",
        )

    @app_commands.command(name="stats", description="Program numbers and a chart (small groups not shown)")
    async def stats(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        numbers = await self.bot.stats.program(guild.id)
        png = await asyncio.to_thread(render_chart, numbers)
        lines = ["**Peer program**", *numbers.lines(), "Counts from 1 to 4 are shown as “fewer than 5”."]
        await interaction.followup.send(
            fit("\n".join(lines)),
            file=discord.File(io.BytesIO(png), filename="tandem-stats.png"),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
