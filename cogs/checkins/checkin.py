"""/checkin: now, history (a private PNG chart), pause, resume, and my daytime hours."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checkins.charts import history_png
from cogs.checkins.views import CheckinModal
from cogs.common.replies import ack, guild_of, reply, timestamp

if TYPE_CHECKING:
    from bot.app.client import TandemBot


@app_commands.guild_only()
class Checkin(commands.GroupCog, group_name="checkin", group_description="Check in with your pair"):
    def __init__(self, bot: TandemBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="now", description="Check in now: how you are, progress, a note")
    async def now(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        # the same modal as the prompt's button; an unpaired member hears so when submitting
        await interaction.response.send_modal(CheckinModal(self.bot, guild.id, None))

    @app_commands.command(name="history", description="Your check-ins over time, as a chart only you see")
    async def history(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        history = await self.bot.checkins.history(guild.id, interaction.user.id)
        if not history.moods and not history.progress:
            await reply(interaction, "You haven't checked in yet; your chart appears after your first check-in.")
            return
        png = await asyncio.to_thread(history_png, history)
        await interaction.followup.send(
            f"Your {len(history.moods)} check-in(s) and goal progress over time (only you can see this).",
            file=discord.File(io.BytesIO(png), filename="my-checkins.png"),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="pause", description="Pause check-ins (holidays); nothing is sent until then")
    @app_commands.describe(until="The last day of your break, as YYYY-MM-DD")
    async def pause(self, interaction: discord.Interaction[TandemBot], until: app_commands.Range[str, 1, 10]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        end = await self.bot.checkins.pause(guild.id, interaction.user.id, until)
        await reply(interaction, f"Check-ins are paused until {timestamp(end, 'D')}; enjoy your break.")

    @app_commands.command(name="resume", description="Resume check-ins after a pause")
    async def resume(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        was = await self.bot.checkins.resume(guild.id, interaction.user.id)
        await reply(interaction, "Welcome back: check-ins are on again." if was else "Your check-ins weren't paused.")

    @app_commands.command(
        name="hours", description="Your daytime hours: prompts come inside them, never in quiet hours"
    )
    @app_commands.describe(start="From this hour (0-23, your time)", end="Until this hour (1-24, your time)")
    async def hours(
        self,
        interaction: discord.Interaction[TandemBot],
        start: app_commands.Range[int, 0, 23],
        end: app_commands.Range[int, 1, 24],
    ) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        await self.bot.checkins.set_hours(guild.id, interaction.user.id, start, end)
        await reply(interaction, f"Got it: prompts will come between {start:02d}:00 and {end:02d}:00 your time.")


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(Checkin(bot))
