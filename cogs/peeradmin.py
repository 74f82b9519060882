"""/peeradmin: what moderators do. Status and numbers only: never a member's private words."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.tree import NotModerator
from cogs.checkins.admin import AdminCheckinCommands
from cogs.common.replies import guild_of
from cogs.pairing.admin import AdminPairCommands
from cogs.safety.admin import AdminSafetyCommands
from cogs.safety.admin_program import AdminProgramCommands

if TYPE_CHECKING:
    from bot.app.client import TandemBot

log = logging.getLogger(__name__)

# audited inside their own transaction by the pairing services (until this listener goes altogether)
AUDITED_BY_SERVICES = frozenset(f"peeradmin {n}" for n in ("setup", "match", "pair", "unpair", "pairs"))


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class PeerAdmin(
    AdminPairCommands,
    AdminSafetyCommands,
    AdminProgramCommands,
    AdminCheckinCommands,
    commands.GroupCog,
    group_name="peeradmin",
    group_description="Run the peer program",
):
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
        name = interaction.command.qualified_name if interaction.command else "peeradmin"
        await self.bot.audit.record(guild.id, interaction.user.id, "refused", detail=f"/{name}")
        raise NotModerator

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[Any], command: app_commands.Command[Any, Any, Any] | Any
    ) -> None:
        """Every /peeradmin command that ran is appended to the audit log: who, what, when, on whom, why."""
        name = getattr(command, "qualified_name", "")
        if interaction.guild_id is None or not name.startswith("peeradmin ") or name in AUDITED_BY_SERVICES:
            return
        await self.bot.audit.record(
            interaction.guild_id, interaction.user.id, name.split(" ", 1)[1], **_subjects(interaction)
        )


def _subjects(interaction: discord.Interaction[Any]) -> dict[str, Any]:
    """Which pair, members and case a command was about, and the reason given. Never free text."""
    members: list[int] = []
    details: list[str] = []
    found: dict[str, Any] = {}
    for option, value in interaction.namespace:
        if isinstance(value, discord.User | discord.Member):
            members.append(value.id)
        elif option == "pair" and isinstance(value, int):
            found["pair_id"] = value
        elif option == "case" and isinstance(value, int):
            found["case_id"] = value
        elif option == "reason" and isinstance(value, str):
            found["reason"] = value
        elif isinstance(value, bool | int) or option == "action":
            details.append(f"{option}={getattr(value, 'value', value)}")
        elif hasattr(value, "id"):
            details.append(f"{option}={value.id}")
        else:
            details.append(f"{option} set")
    return found | {"member_ids": members, "detail": ", ".join(details)}


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(PeerAdmin(bot))
