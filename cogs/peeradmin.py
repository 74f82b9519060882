"""/peeradmin: what moderators do. Status and numbers only: never a member's private words."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.tree import NotModerator
from cogs.admin_checkins import AdminCheckinCommands
from cogs.admin_pairs import AdminPairCommands
from cogs.replies import guild_of

if TYPE_CHECKING:
    from bot.client import TandemBot

log = logging.getLogger(__name__)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class PeerAdmin(
    AdminPairCommands,
    AdminCheckinCommands,
    commands.GroupCog,
    group_name="peeradmin",
    group_description="Run the peer program",
):
    def __init__(self, bot: TandemBot) -> None:
        self.bot = bot
        self.pairing = bot.pairing
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Checked inside the bot too: a server owner can open these commands to everyone in Discord."""
        guild = guild_of(interaction)
        if interaction.permissions.manage_guild:
            return True
        settings = await self.pairing.settings(guild.id)
        roles = getattr(interaction.user, "roles", [])
        if settings and settings.moderator_role_id and any(r.id == settings.moderator_role_id for r in roles):
            return True
        log.warning("refused /peeradmin to user %s in guild %s", interaction.user.id, guild.id)
        raise NotModerator


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(PeerAdmin(bot))
