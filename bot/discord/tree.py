"""The command tree with Tandem's one error handler: domain errors become one friendly sentence."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import TandemError

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on my side and I couldn't finish that; please try again in a moment."
NOT_MODERATOR = "Only the program's moderators can use /peeradmin commands."


class NotModerator(app_commands.CheckFailure):
    """A /peeradmin command from someone who is not a moderator (the check may have answered already)."""


class TandemTree(app_commands.CommandTree[Any]):
    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(original, NotModerator) and interaction.response.is_done():
            return  # the permission check answered the refusal itself, before auditing it
        if isinstance(original, TandemError) and original.answered:
            return  # a cog answered it first (then audited the refusal)
        await send_error(interaction, explain(interaction, original))


def explain(interaction: discord.Interaction[Any], original: BaseException) -> str:
    """One friendly sentence for any error (commands, buttons, modals); the unexpected are logged."""
    name = interaction.command.qualified_name if interaction.command else "a component"
    if isinstance(original, TandemError):
        message = original.message
    elif isinstance(original, NotModerator):
        message = NOT_MODERATOR
    elif isinstance(original, app_commands.NoPrivateMessage):
        message = "Tandem's commands work inside a server, not in direct messages."
    elif isinstance(original, app_commands.CheckFailure):
        message = "You can't use this command here."
    else:
        log.error("command /%s failed in guild %s", name, interaction.guild_id, exc_info=original)
        message = UNEXPECTED
    return message


async def send_error(interaction: discord.Interaction[Any], message: str) -> None:
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning("could not tell a member about an error (interaction expired?)")
