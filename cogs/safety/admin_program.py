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

    @PROGRAM.command(name="retention", description="How long Tandem keeps ended pairs and members who left")
    @app_commands.describe(
        days="Days after a pairing ends before its space is deleted; 0 keeps ended spaces",
        departed_days="Days after a member leaves the server before their data is erased (default 30)",
    )
    async def retention(
        self,
        interaction: discord.Interaction[TandemBot],
        days: int | None = None,
        departed_days: int | None = None,
    ) -> None:
        await ack(interaction)
        guild_id = guild_of(interaction).id
        lines: list[str] = []
        if days is not None:
            kept = await self.bot.retention.set_days(guild_id, interaction.user.id, days)
            lines.append(
                "Ended pairs' spaces are kept; Tandem won't delete them."
                if kept is None
                else f"Ended pairs' spaces, and what Tandem stored about those pairings, are deleted {kept} days "
                f"after the pairing ends; the pair is told in their space {NOTICE_BEFORE.days} days before."
            )
        if departed_days is not None:
            departed = await self.bot.privacy.set_departed_days(guild_id, interaction.user.id, departed_days)
            lines.append(f"Members who leave the server have their data erased {departed} days after they leave.")
        if not lines:
            kept_now = await self.bot.retention.days(guild_id)
            departed_now = await self.bot.privacy.departed_days(guild_id)
            spaces = "kept" if kept_now is None else f"deleted {kept_now} days after the pairing ends"
            lines.append(
                f"Ended pairs' spaces are {spaces}; members who leave the server have their data erased "
                f"{departed_now} days after they leave."
            )
        await reply(interaction, " ".join(lines))

    @PROGRAM.command(name="resources", description="Set the support resources members see with /peer resources")
    async def resources(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        current = await self.bot.safety.resources(guild.id)
        await interaction.response.send_modal(ResourcesModal(current))
