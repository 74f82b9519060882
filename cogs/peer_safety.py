"""/peer report and /peer resources: getting help privately."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from cogs.base import CogBase
from cogs.replies import guild_of, plain, reply
from cogs.safety_components import ReportModal

if TYPE_CHECKING:
    from bot.client import TandemBot


class PeerSafetyCommands(CogBase):
    @app_commands.command(name="report", description="Tell the moderators privately that something's wrong")
    async def report(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.send_modal(ReportModal(guild.id, "command"))

    @app_commands.command(name="resources", description="Where to find support (only you see this)")
    async def resources(self, interaction: discord.Interaction[TandemBot]) -> None:
        text = await self.bot.safety.resources(guild_of(interaction).id)
        embed = discord.Embed(title="Support resources", description=plain(text))
        embed.set_footer(text="Only you can see this. Peers are not therapists; it's okay to ask for more help.")
        await reply(interaction, embed=embed)
