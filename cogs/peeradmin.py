"""/peeradmin: what moderators do. Status and numbers only: never a member's private words.

Each action audits itself inside its service (the entry commits with the action's rows); this cog only
assembles the group from the feature mixins and refuses non-moderators, answering first, then auditing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.audit import AuditAction
from bot.discord.tree import NOT_MODERATOR, NotModerator, send_error
from cogs.checkins.admin import AdminCheckinCommands
from cogs.common.groups import PROGRAM, SAFETY
from cogs.common.replies import guild_of
from cogs.pairing.admin import AdminPairCommands
from cogs.safety.admin import AdminSafetyCommands
from cogs.safety.admin_cases import AdminCaseCommands
from cogs.safety.admin_program import AdminProgramCommands

if TYPE_CHECKING:
    from bot.app.client import TandemBot

log = logging.getLogger(__name__)


@discord.app_commands.guild_only()
@discord.app_commands.default_permissions(manage_guild=True)
class PeerAdmin(
    AdminPairCommands,
    AdminSafetyCommands,
    AdminCaseCommands,
    AdminProgramCommands,
    AdminCheckinCommands,
    commands.GroupCog,
    group_name="peeradmin",
    group_description="Run the peer program",
):
    program = PROGRAM  # /peeradmin program …: the mixins add their commands to these shared groups
    safety = SAFETY  # /peeradmin safety …

    def __init__(self, bot: TandemBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Checked inside the bot too: a server owner can open these commands to everyone in Discord."""
        guild = guild_of(interaction)
        if interaction.permissions.manage_guild:
            return True
        settings = await self.bot.profiles.settings(guild.id)
        roles = getattr(interaction.user, "roles", [])
        if settings and settings.moderator_role_id and any(r.id == settings.moderator_role_id for r in roles):
            return True
        log.warning("refused /peeradmin to user %s in guild %s", interaction.user.id, guild.id)
        await send_error(interaction, NOT_MODERATOR)  # answered first: the audit write never delays it
        name = interaction.command.qualified_name if interaction.command else "peeradmin"
        try:
            await self.bot.audit.record(guild.id, interaction.user.id, AuditAction.REFUSED, detail=f"/{name}")
        except Exception:
            log.exception("a refused /peeradmin in guild %s could not be audited", guild.id)
        raise NotModerator


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(PeerAdmin(bot))
