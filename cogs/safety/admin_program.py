"""/peeradmin program pause, resume, retention, resources: the program's controls and what members are shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.safety.retention import NOTICE_BEFORE
from cogs.common.base import CogBase
from cogs.common.groups import PROGRAM
from cogs.common.replies import ack, guild_of, reply
from cogs.safety.views import ResourcesModal

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class AdminProgramCommands(CogBase):
    @PROGRAM.command(name="pause", description="Pause the whole program: no matching until resumed")
    async def pause(self, interaction: discord.Interaction[TandemBot]) -> None:
        await ack(interaction)
        changed = await self.bot.safety.set_paused(guild_of(interaction).id, interaction.user.id, True)
        await reply(
            interaction,
            "The program is paused: no new pairs are made until /peeradmin program resume; existing pairs carry on."
            if changed
            else "The program is already paused.",
        )

    @PROGRAM.command(name="resume", description="Resume the program after a pause")
    async def resume(self, interaction: discord.Interaction[TandemBot]) -> None:
        await ack(interaction)
        changed = await self.bot.safety.set_paused(guild_of(interaction).id, interaction.user.id, False)
        await reply(interaction, "The program is running again." if changed else "The program isn't paused.")

    @PROGRAM.command(name="retention", description="Delete ended pairs' spaces after some days (0: keep them)")
    @app_commands.describe(days="Days after a pairing ends; 0 keeps ended spaces")
    async def retention(self, interaction: discord.Interaction[TandemBot], days: int) -> None:
        await ack(interaction)
        kept = await self.bot.retention.set_days(guild_of(interaction).id, interaction.user.id, days)
        if kept is None:
            await reply(interaction, "Ended pairs' spaces are kept; Tandem won't delete them.")
            return
        await reply(
            interaction,
            f"Ended pairs' spaces, and what Tandem stored about those pairings, are deleted {kept} days after "
            f"the pairing ends; the pair is told in their space {NOTICE_BEFORE.days} days before.",
        )

    @PROGRAM.command(name="resources", description="Set the support resources members see with /peer resources")
    async def resources(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        current = await self.bot.safety.resources(guild.id)
        await interaction.response.send_modal(ResourcesModal(current))
