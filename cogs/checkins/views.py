"""Buttons and modals for agreements, check-ins, support and going quiet. The buttons are DynamicItems
whose custom ids carry the guild and pair, so they work after a restart and in DMs."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord

from bot.core.errors import TandemError
from bot.core.text import mention
from bot.discord import custom_ids as ids
from bot.discord.components import button
from bot.discord.tree import UNEXPECTED, send_error
from cogs.common.replies import ack, reply, timestamp
from cogs.pairing import request_outcome

if TYPE_CHECKING:
    from bot.app.client import TandemBot

log = logging.getLogger(__name__)


async def guarded(interaction: discord.Interaction[Any], work: Awaitable[None]) -> None:
    """Modals and buttons are outside the command tree: domain errors still become one sentence."""
    try:
        await work
    except TandemError as exc:
        await send_error(interaction, exc.message)
    except Exception:
        log.exception("a check-in component failed")
        await send_error(interaction, UNEXPECTED)


# ----- the pair agreement ------------------------------------------------------------------------


class AgreementModal(discord.ui.Modal, title="Our agreement"):
    def __init__(self, bot: TandemBot, guild_id: int, pair_id: int, current: Any) -> None:
        super().__init__(timeout=900)
        self.bot, self.guild_id, self.pair_id = bot, guild_id, pair_id
        self.objectives: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label="What we'd like from this pairing",
            custom_id="objectives",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            required=False,
            default=current.objectives or None,
        )
        self.timeline: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label="Our timeline", custom_id="timeline", max_length=200, required=False, default=current.timeline or None
        )
        self.frequency: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label="How often we check in",
            custom_id="frequency",
            placeholder="weekly, every 2 weeks, monthly, or a day such as friday",
            max_length=32,
            required=False,
            default=current.frequency or "weekly",
        )
        self.boundaries: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label="Our boundaries",
            custom_id="boundaries",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            required=False,
            default=current.boundaries or None,
        )
        for item in (self.objectives, self.timeline, self.frequency, self.boundaries):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await ack(interaction)  # before the save posts in the pair's space
        await guarded(interaction, self._save(interaction))

    async def _save(self, interaction: discord.Interaction[Any]) -> None:
        saved = await self.bot.checkins.save_agreement(
            self.guild_id,
            interaction.user.id,
            self.pair_id,
            objectives=self.objectives.value,
            timeline=self.timeline.value,
            frequency=self.frequency.value,
            boundaries=self.boundaries.value,
        )
        await reply(
            interaction,
            f"Your agreement is saved. Check-ins: {saved.schedule_text}; the next one is "
            f"{timestamp(saved.next_due, 'f')}.",
        )


class AgreementButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.Agreement.TEMPLATE):
    def __init__(self, guild_id: int, pair_id: int) -> None:
        super().__init__(button(ids.Agreement(guild_id, pair_id)))
        self.guild_id, self.pair_id = guild_id, pair_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AgreementButton:
        ref = ids.Agreement.from_match(match)
        return cls(ref.guild_id, ref.pair_id)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        async def work() -> None:
            current = await interaction.client.checkins.agreement(self.guild_id, interaction.user.id, self.pair_id)
            await interaction.response.send_modal(
                AgreementModal(interaction.client, self.guild_id, self.pair_id, current)
            )

        await guarded(interaction, work())


# ----- check-ins ---------------------------------------------------------------------------------


POST_FAILED = (
    "Your check-in is saved, but I couldn't post your {what} in your pair space; it may be missing a "
    "permission, and the moderators can restore it."
)


class CheckinModal(discord.ui.Modal, title="Check in"):
    mood: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="How am I? 1 (very low) to 5 (great)", custom_id="mood", max_length=1, placeholder="3"
    )
    progress: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="Progress on my goals",
        custom_id="progress",
        style=discord.TextStyle.paragraph,
        max_length=500,
        required=False,
    )
    note: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="A note (private unless I share it)",
        custom_id="note",
        style=discord.TextStyle.paragraph,
        max_length=1000,
        required=False,
    )
    share: discord.ui.TextInput[CheckinModal] = discord.ui.TextInput(
        label="Share my note with my partner? yes / no",
        custom_id="share",
        max_length=3,
        required=False,
        placeholder="no",
    )

    def __init__(self, bot: TandemBot, guild_id: int, pair_id: int | None) -> None:
        super().__init__(timeout=900)
        self.bot, self.guild_id, self.pair_id = bot, guild_id, pair_id

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await ack(interaction)  # before the save posts in the pair's space
        await guarded(interaction, self._save(interaction))

    async def _save(self, interaction: discord.Interaction[Any]) -> None:
        saved = await self.bot.checkins.check_in(
            self.guild_id,
            interaction.user.id,
            self.pair_id,
            mood=self.mood.value,
            progress=self.progress.value,
            note=self.note.value,
            share=self.share.value,
        )
        text = "Thank you for checking in."
        text += " Your note is shared with your partner." if saved.shared else " Your note stays private to you."
        if not saved.posted:
            text = POST_FAILED.format(what="note" if saved.shared else "check-in")
        await reply(interaction, text)


class CheckinButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.CheckIn.TEMPLATE):
    def __init__(self, guild_id: int, pair_id: int) -> None:
        super().__init__(button(ids.CheckIn(guild_id, pair_id)))
        self.guild_id, self.pair_id = guild_id, pair_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> CheckinButton:
        ref = ids.CheckIn.from_match(match)
        return cls(ref.guild_id, ref.pair_id)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await interaction.response.send_modal(CheckinModal(interaction.client, self.guild_id, self.pair_id))


class SupportButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.Support.TEMPLATE):
    """ "I could use support": the server's resources, shown to that member alone."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(button(ids.Support(guild_id)))
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SupportButton:
        return cls(ids.Support.from_match(match).guild_id)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await ack(interaction)

        async def work() -> None:
            text = await interaction.client.safety.support_requested(self.guild_id, interaction.user.id, False)
            view = discord.ui.View(timeout=None)
            view.add_item(TellModeratorsButton(self.guild_id))
            await reply(interaction, text, view=view)

        await guarded(interaction, work())


class TellModeratorsButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.TellModerators.TEMPLATE):
    """Offered with the support resources: tell the moderators I asked (status only), if I agree."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(button(ids.TellModerators(guild_id)))
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TellModeratorsButton:
        return cls(ids.TellModerators.from_match(match).guild_id)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await ack(interaction)  # before the note posts in the log channel

        async def work() -> None:
            await interaction.client.safety.support_requested(self.guild_id, interaction.user.id, True)
            await reply(interaction, "The moderators have been told you asked for support; they see nothing you wrote.")

        await guarded(interaction, work())


# ----- going quiet -------------------------------------------------------------------------------

QUIET_ANSWERS = {
    ids.QuietChoice.KEEP: "Okay, we'll keep waiting; nothing changes for your partner, and check-ins go on for you.",
    ids.QuietChoice.PAUSE: "Your pairing's check-ins are paused for four weeks; /checkin resume starts them again.",
}


class QuietButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.Quiet.TEMPLATE):
    def __init__(self, guild_id: int, pair_id: int, choice: ids.QuietChoice) -> None:
        super().__init__(button(ids.Quiet(guild_id, pair_id, choice)))
        self.guild_id, self.pair_id, self.choice = guild_id, pair_id, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QuietButton:
        ref = ids.Quiet.from_match(match)
        return cls(ref.guild_id, ref.pair_id, ref.choice)

    async def callback(self, interaction: discord.Interaction[TandemBot]) -> None:  # type: ignore[override]
        await ack(interaction)
        await guarded(interaction, self._choose(interaction))

    async def _choose(self, interaction: discord.Interaction[TandemBot]) -> None:
        bot = interaction.client
        await bot.checkins.quiet_choice(self.guild_id, interaction.user.id, self.pair_id, self.choice)
        if self.choice in QUIET_ANSWERS:
            await reply(interaction, QUIET_ANSWERS[self.choice])
            return
        guild = bot.get_guild(self.guild_id)
        pair = await bot.endings.end(
            self.guild_id,
            interaction.user.id,
            partner_id=None,
            dont_pair_again=False,
            guild_name=guild.name if guild else "the server",
        )
        outcome = await bot.rounds.request(self.guild_id, interaction.user.id)
        partners = ", ".join(mention(p) for p in pair.partners_of(interaction.user.id))
        await reply(
            interaction,
            f"Your pairing with {partners} has ended kindly. " + request_outcome(outcome, interaction.user.id),
        )


DYNAMIC_ITEMS = (AgreementButton, CheckinButton, SupportButton, TellModeratorsButton, QuietButton)


async def setup(bot: TandemBot) -> None:
    bot.add_dynamic_items(*DYNAMIC_ITEMS)


async def teardown(bot: TandemBot) -> None:
    bot.remove_dynamic_items(*DYNAMIC_ITEMS)
