"""/peeradmin program checkins: the default check-in time, the going-quiet threshold, the support text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from cogs.common.base import CogBase
from cogs.common.groups import PROGRAM
from cogs.common.replies import ack, guild_of, reply

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class AdminCheckinCommands(CogBase):
    @PROGRAM.command(name="checkins", description="Check-in settings: default time and going quiet")
    @app_commands.describe(
        default_time="Default check-in time, HH:MM in each pair's first member's timezone (18:00 unless set)",
        quiet_after="Missed check-ins before the partner is asked what they'd like (default 3)",
    )
    async def checkins(
        self,
        interaction: discord.Interaction[TandemBot],
        default_time: app_commands.Range[str, 1, 5] | None = None,
        quiet_after: int | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        settings = await self.bot.checkins.configure(
            guild.id, interaction.user.id, checkin_time=default_time, quiet_after=quiet_after
        )
        hours, minutes = divmod(settings.checkin_minute, 60)
        await reply(
            interaction,
            f"Check-ins: default time {hours:02d}:{minutes:02d}; ask the partner after {settings.quiet_after_missed} "
            "missed check-ins. The text shown on 'I could use support' is set with /peeradmin program resources.",
        )
