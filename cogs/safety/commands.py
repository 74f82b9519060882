"""/peer report and /peer resources: getting help privately."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.discord import custom_ids as ids
from bot.discord.tree import explain, send_error
from bot.safety.states import ReportSource
from cogs.common.base import CogBase
from cogs.common.replies import ack, guild_of, plain, reply
from cogs.safety.views import ReportModal

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class PeerSafetyCommands(CogBase):
    @app_commands.command(name="report", description="Tell the moderators privately that something's wrong")
    async def report(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.send_modal(ReportModal(guild.id, ReportSource.COMMAND))

    @app_commands.command(name="resources", description="Where to find support (only you see this)")
    async def resources(self, interaction: discord.Interaction[TandemBot]) -> None:
        await ack(interaction)
        text = await self.bot.safety.resources(guild_of(interaction).id)
        embed = discord.Embed(title="Support resources", description=plain(text))
        embed.set_footer(text="Only you can see this. Peers are not therapists; it's okay to ask for more help.")
        await reply(interaction, embed=embed)


class DeleteChoice(discord.ui.View):
    """Asked after /peer data delete: erase everything, or keep it."""

    def __init__(self, bot: TandemBot, guild_id: int, guild_name: str, user_id: int) -> None:
        super().__init__(timeout=600)
        self.bot, self.guild_id, self.guild_name, self.user_id = bot, guild_id, guild_name, user_id

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, _item: discord.ui.Item[Any]
    ) -> None:
        await send_error(interaction, explain(interaction, error))  # a follow-up once deferred

    @discord.ui.button(label="Erase my data", style=discord.ButtonStyle.danger, custom_id=ids.DATA_ERASE)
    async def erase(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.defer()
        await self.bot.privacy.erase(self.guild_id, self.user_id, self.guild_name)
        await interaction.edit_original_response(
            content="Done: your profile and everything you wrote are erased, reports you filed are withdrawn, "
            "and your former partner's own data is untouched. /peer join starts fresh any time.",
            view=None,
        )

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary, custom_id=ids.DATA_KEEP)
    async def keep(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was erased.", view=None)


class PeerDataCommands(CogBase):
    data = app_commands.Group(name="data", description="Your data: export it or erase it")

    @data.command(name="export", description="Get a file with everything Tandem holds about you")
    async def export(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        content = json.dumps(await self.bot.privacy.export(guild.id, interaction.user.id), indent=2, ensure_ascii=False)
        file = discord.File(io.BytesIO(content.encode("utf-8")), filename="tandem-my-data.json")
        await interaction.followup.send(
            "Here is everything Tandem holds about you on this server (only you can see this).",
            file=file,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @data.command(name="delete", description="Erase everything Tandem holds about you")
    async def delete(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        await self.bot.privacy.require_something(guild.id, interaction.user.id)
        await reply(
            interaction,
            "This ends any pairing you have and erases your profile and everything you wrote; reports you filed "
            "are withdrawn. Your former partner's own data stays. Erase it now?",
            view=DeleteChoice(self.bot, guild.id, guild.name, interaction.user.id),
        )
