"""Safety components: the "Something's wrong" button (persistent, ids in its custom_id) and modals.

The modals have no fixed custom id: discord.py keys an open modal by it, and two members' forms would cross."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from bot.core.errors import TandemError
from bot.discord import custom_ids as ids
from bot.discord.components import button
from bot.discord.tree import UNEXPECTED, explain, send_error
from bot.safety.service import MAX_REPORT, MAX_RESOURCES
from bot.safety.states import ReportSource
from cogs.common.replies import ack, reply

if TYPE_CHECKING:
    from bot.app.client import TandemBot

log = logging.getLogger(__name__)

REPORT_SENT = (
    "Thank you for telling us. Your report (case #{case}) went privately to the moderators; "
    "your partner is not told, and /peer resources lists where to find support."
)

NOT_IN_PAIR = "Only the members of this pair can use this button; /peer report is for anyone."


async def owner_if_about_moderator(interaction: discord.Interaction[TandemBot], about: list[int]) -> int | None:
    """The server owner's id when a report is about a moderator (Manage Server or the moderator role):
    such a report goes to the owner by DM, never to the log channel or list that moderator reads."""
    guild = interaction.guild
    if guild is None or not about:
        return None
    role_id = await interaction.client.profiles.moderator_role(guild.id)
    for user_id in about:
        member = guild.get_member(user_id)
        if member is None:
            with contextlib.suppress(discord.NotFound):
                member = await guild.fetch_member(user_id)
        if member is not None and (member.guild_permissions.manage_guild or any(r.id == role_id for r in member.roles)):
            return guild.owner_id
    return None


class ReportModal(discord.ui.Modal, title="Tell the moderators privately"):
    text: discord.ui.TextInput[ReportModal] = discord.ui.TextInput(
        label="What's wrong?",
        style=discord.TextStyle.paragraph,
        custom_id="report_text",
        max_length=MAX_REPORT,
        placeholder="Only the moderators read this; your partner is never told who reported.",
    )

    def __init__(self, guild_id: int, source: ReportSource, pair_id: int | None = None) -> None:
        super().__init__()  # discord.py gives each opening its own custom id: forms never cross
        self.guild_id, self.source, self.pair_id = guild_id, source, pair_id

    async def on_submit(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await ack(interaction)  # before the report posts in the log channel
        safety = interaction.client.safety
        about = await safety.reported_members(self.guild_id, interaction.user.id, self.pair_id)
        owner_id = await owner_if_about_moderator(interaction, about)
        case = await safety.file_report(
            self.guild_id,
            interaction.user.id,
            self.text.value,
            source=self.source,
            pair_id=self.pair_id,
            owner_id=owner_id,
        )
        await reply(interaction, REPORT_SENT.format(case=case))

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await send_error(interaction, explain(interaction, error))


class ReportButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.Report.TEMPLATE):
    """ "Something's wrong" in a pair space's welcome: opens a private report for this pair."""

    def __init__(self, pair_id: int) -> None:
        super().__init__(button(ids.Report(pair_id)))
        self.pair_id = pair_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReportButton:
        return cls(ids.Report.from_match(match).pair_id)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        try:  # read, then the form as the first response (a modal cannot follow a deferral)
            if interaction.guild_id is None or not await interaction.client.safety.pair_of_member(
                interaction.guild_id, self.pair_id, interaction.user.id
            ):
                await reply(interaction, NOT_IN_PAIR)
                return
            await interaction.response.send_modal(ReportModal(interaction.guild_id, ReportSource.BUTTON, self.pair_id))
        except TandemError as error:  # outside the command tree: the member still hears why
            await send_error(interaction, error.message)
        except Exception:
            log.exception("the report button failed")
            await send_error(interaction, UNEXPECTED)


class ResourcesModal(discord.ui.Modal, title="Support resources for members"):
    text: discord.ui.TextInput[ResourcesModal] = discord.ui.TextInput(
        label="Crisis lines and who to contact",
        style=discord.TextStyle.paragraph,
        custom_id="resources_text",
        max_length=MAX_RESOURCES,
    )

    def __init__(self, current: str) -> None:
        super().__init__()
        self.text.default = current

    async def on_submit(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await ack(interaction)
        guild_id = interaction.guild_id or 0
        await interaction.client.safety.set_resources(guild_id, interaction.user.id, self.text.value)
        await reply(interaction, "The support resources are saved; members see them with /peer resources.")

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:  # type: ignore[override]
        await send_error(interaction, explain(interaction, error))


async def setup(bot: TandemBot) -> None:
    bot.add_dynamic_items(ReportButton)


async def teardown(bot: TandemBot) -> None:
    bot.remove_dynamic_items(ReportButton)
