"""/peer request, status, end, leave: a member's pairing from start to a blameless end."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.core.text import mention
from cogs.common.base import CogBase
from cogs.common.replies import ack, guild_of, reply, timestamp
from cogs.pairing.texts import pair_line, request_outcome
from cogs.pairing.views import LeaveChoice

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class PeerPairingCommands(CogBase):
    @app_commands.command(name="request", description="Pair me now with the best available partner")
    async def request(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.rounds.request(guild.id, interaction.user.id)
        await reply(interaction, request_outcome(outcome, interaction.user.id))

    @app_commands.command(name="status", description="Your pairing: with whom, since when, and your space")
    async def status(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        status = await self.bot.profiles.status(guild.id, interaction.user.id)
        if status.pairs:
            lines = [pair_line(p, interaction.user.id) for p in status.pairs]
            text = "You're paired with " + "; ".join(lines) + "."
        elif status.profile.waiting_since is not None:
            text = (
                f"You're on the waitlist since {timestamp(status.profile.waiting_since, 'R')}; "
                "I'll open your private space as soon as a good match is found."
            )
        else:
            text = "You're in the program but not paired; /peer request finds you a partner."
        await reply(interaction, text)

    @app_commands.command(name="end", description="End your pairing, without blame")
    @app_commands.describe(
        dont_pair_again="Never pair us again (confidential: your partner is not told)",
        partner="Mentors with several mentees: which pairing to end",
    )
    async def end(
        self,
        interaction: discord.Interaction[TandemBot],
        dont_pair_again: bool = False,
        partner: discord.Member | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        pair = await self.bot.endings.end(
            guild.id,
            interaction.user.id,
            partner_id=partner.id if partner else None,
            dont_pair_again=dont_pair_again,
            guild_name=guild.name,
        )
        partners = ", ".join(mention(p) for p in pair.partners_of(interaction.user.id))
        text = f"Your pairing with {partners} has ended; thank you for the time you gave."
        if dont_pair_again:
            text += " You won't be paired again, and they won't be told why."
        text += " Use /peer request whenever you'd like a new match."
        await reply(interaction, text)

    @app_commands.command(name="leave", description="Opt out of the peer program")
    async def leave(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        ended = await self.bot.endings.leave(guild.id, interaction.user.id, guild.name)
        text = "You've left the peer program" + (" and your pairing has ended" if ended else "") + "."
        text += " Would you like me to delete your profile too?"
        await reply(interaction, text, view=LeaveChoice(self.bot, guild.id, interaction.user.id))
