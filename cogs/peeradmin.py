"""/peeradmin: what moderators do. Status and numbers only: never a member's private words.

Each action audits itself inside its service (the entry commits with the action's rows); this cog only
assembles the group from the feature mixins and refuses non-moderators, answering first, then auditing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import InteractionResponseType, app_commands
from discord.ext import commands

from bot.audit import AuditAction
from bot.core.errors import TandemError
from bot.discord.log_channel import exposed_line, exposure
from bot.discord.tree import NOT_MODERATOR, NotModerator, send_error
from cogs.checkins.admin import AdminCheckinCommands
from cogs.common.groups import PROGRAM, SAFETY
from cogs.common.replies import guild_of, reply
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

    async def cog_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """A moderator action that a rule refused (a confidential block, a bad value) is answered first,
        then audited as refused: which command and the kind of refusal, never the reason's details."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if not isinstance(original, TandemError) or interaction.guild_id is None:
            return  # permission refusals are audited by the check; the unexpected by the tree's handler
        await send_error(interaction, original.message)
        original.answered = True
        name = interaction.command.qualified_name if interaction.command else "peeradmin"
        try:
            await self.bot.audit.record(
                interaction.guild_id,
                interaction.user.id,
                AuditAction.REFUSED,
                detail=f"/{name}: {type(original).__name__}",
            )
        except Exception:
            log.exception("a refused /peeradmin action in guild %s could not be audited", interaction.guild_id)

    @commands.Cog.listener()
    async def on_app_command_completion(self, interaction: discord.Interaction[Any], command: Any) -> None:
        """After each /peeradmin command, one ephemeral line while the log channel is seen by others."""
        root = getattr(command, "root_parent", None) or command
        if getattr(root, "name", None) != "peeradmin" or interaction.guild is None:
            return
        if not interaction.response.is_done() or interaction.response.type == InteractionResponseType.modal:
            return  # a modal is answered by its submission; the next command tells them
        try:
            line = await self._log_channel_warning(interaction.guild)
            if line:
                await reply(interaction, line)
        except Exception:
            log.exception("could not tell moderators in guild %s about their log channel", interaction.guild.id)

    async def _log_channel_warning(self, guild: discord.Guild) -> str | None:
        settings = await self.bot.profiles.settings(guild.id)
        channel = guild.get_channel(settings.log_channel_id) if settings and settings.log_channel_id else None
        if settings is None or channel is None:
            return None
        found = exposure(channel, settings.moderator_role_id)
        return exposed_line(channel.id, found) if found.exposed else None


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(PeerAdmin(bot))
