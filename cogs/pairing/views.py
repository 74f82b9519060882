"""Pairing's buttons: "Find me a new match" (persistent: its custom id carries the server, so it works
after a restart) and the choice offered after /peer leave."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.core.errors import TandemError
from bot.discord import custom_ids as ids
from bot.discord.components import button
from bot.discord.tree import UNEXPECTED, send_error
from cogs.common.replies import reply
from cogs.pairing.texts import request_outcome

if TYPE_CHECKING:
    from bot.app.client import TandemBot

log = logging.getLogger(__name__)


class RematchButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.Rematch.TEMPLATE):
    """ "Find me a new match", sent in the DM that tells a member their pairing ended."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(button(ids.Rematch(guild_id)))
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RematchButton:
        return cls(ids.Rematch.from_match(match).guild_id)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            outcome = await interaction.client.rounds.request(self.guild_id, interaction.user.id)
        except TandemError as exc:
            await reply(interaction, exc.message)
            return
        except Exception:
            log.exception("the rematch button failed")
            await send_error(interaction, UNEXPECTED)
            return
        await reply(interaction, request_outcome(outcome, interaction.user.id))


class LeaveChoice(discord.ui.View):
    """Asked after /peer leave: delete my data (all of it, through the privacy service), or keep it switched off."""

    def __init__(self, bot: TandemBot, guild_id: int, user_id: int) -> None:
        super().__init__(timeout=600)
        self.bot, self.guild_id, self.user_id = bot, guild_id, user_id

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, _item: discord.ui.Item[Any]
    ) -> None:
        if isinstance(error, TandemError):
            await send_error(interaction, error.message)
        else:
            log.error("a leave-choice button failed", exc_info=error)
            await send_error(interaction, UNEXPECTED)

    @discord.ui.button(label="Delete my data", style=discord.ButtonStyle.danger, custom_id=ids.LEAVE_DELETE)
    async def delete(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()
        guild_name = interaction.guild.name if interaction.guild else "the server"
        # the one erasure path: everything, not only the profile (the same as /peer data delete)
        deleted = await self.bot.privacy.erase(self.guild_id, self.user_id, guild_name)
        text = (
            "Your profile and everything you wrote are deleted, reports you filed are withdrawn, and your former "
            "partner's own data is untouched. If you come back, /peer join starts fresh."
            if deleted
            else "There was nothing left to delete."
        )
        self.stop()
        await interaction.edit_original_response(content=text, view=None)

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary, custom_id=ids.LEAVE_KEEP)
    async def keep(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Your profile is kept but switched off; /peer join brings you back whenever you like.",
            view=None,
        )


async def setup(bot: TandemBot) -> None:
    bot.add_dynamic_items(RematchButton)


async def teardown(bot: TandemBot) -> None:
    bot.remove_dynamic_items(RematchButton)
