"""/goal: add, list, progress, done (celebrated in the pair space unless turned off), edit, remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checkins.goals import GoalView
from bot.checkins.states import GoalStatus
from cogs.common.replies import ack, fit, guild_of, plain, reply

if TYPE_CHECKING:
    from bot.app.client import TandemBot

GOAL_ID = "The goal's number (start typing to pick one of yours)"


def goal_line(g: GoalView) -> str:
    due = f" · due {g.due_date.isoformat()}" if g.due_date else ""
    done = " · done" if g.status == GoalStatus.DONE else f" · {g.percent}%"
    steps = f" · milestones: {plain('; '.join(g.milestones))}" if g.milestones else ""
    return f"#{g.goal_id} {plain(g.objective)}{due}{done}{steps}"


@app_commands.guild_only()
class Goal(commands.GroupCog, group_name="goal", group_description="Your goals in the peer program"):
    def __init__(self, bot: TandemBot) -> None:
        self.bot = bot
        super().__init__()

    async def goal_autocomplete(
        self, interaction: discord.Interaction[TandemBot], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.bot.goals.choices(interaction.guild_id, interaction.user.id, current)
        return [app_commands.Choice(name=label, value=goal_id) for label, goal_id in found]

    @app_commands.command(name="add", description="Add a goal, with an optional due date and milestones")
    @app_commands.describe(
        objective="What you want to achieve",
        due="Optional due date, YYYY-MM-DD",
        milestones="Optional milestones, separated by semicolons",
    )
    async def add(
        self,
        interaction: discord.Interaction[TandemBot],
        objective: app_commands.Range[str, 1, 300],
        due: app_commands.Range[str, 1, 10] | None = None,
        milestones: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        goal = await self.bot.goals.add(guild.id, interaction.user.id, objective, due, milestones)
        await reply(interaction, f"Goal added: {goal_line(goal)}")

    @app_commands.command(name="list", description="Your goals and their progress")
    async def list_(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        goals = await self.bot.goals.all_of(guild.id, interaction.user.id)
        if not goals:
            await reply(interaction, "You have no goals yet; add one with /goal add.")
            return
        await reply(interaction, fit("**Your goals**\n" + "\n".join(f"- {goal_line(g)}" for g in goals)))

    @app_commands.command(name="progress", description="Record progress on a goal")
    @app_commands.describe(goal=GOAL_ID, percent="How far along, 0 to 100", note="Optional note for yourself")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def progress(
        self,
        interaction: discord.Interaction[TandemBot],
        goal: int,
        percent: int,
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        view = await self.bot.goals.progress(guild.id, interaction.user.id, goal, percent, note or "")
        await reply(interaction, f"Progress saved: {goal_line(view)}")

    @app_commands.command(name="done", description="Mark a goal done (your pair space celebrates)")
    @app_commands.describe(goal=GOAL_ID)
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def done(self, interaction: discord.Interaction[TandemBot], goal: int) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        view, celebrated = await self.bot.goals.done(guild.id, interaction.user.id, goal)
        extra = " Your pair space is celebrating with you." if celebrated else ""
        await reply(interaction, f"Well done! Goal #{view.goal_id} is complete.{extra}")

    @app_commands.command(name="edit", description="Change a goal's words, due date or milestones")
    @app_commands.describe(
        goal=GOAL_ID, objective="New words", due="New due date, YYYY-MM-DD", milestones="New milestones"
    )
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction[TandemBot],
        goal: int,
        objective: app_commands.Range[str, 1, 300] | None = None,
        due: app_commands.Range[str, 1, 10] | None = None,
        milestones: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        view = await self.bot.goals.edit(guild.id, interaction.user.id, goal, objective, due, milestones)
        await reply(interaction, f"Goal updated: {goal_line(view)}")

    @app_commands.command(name="remove", description="Remove one of your goals")
    @app_commands.describe(goal=GOAL_ID)
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def remove(self, interaction: discord.Interaction[TandemBot], goal: int) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        await self.bot.goals.remove(guild.id, interaction.user.id, goal)
        await reply(interaction, f"Goal #{goal} is removed.")

    @app_commands.command(name="celebrate", description="Turn the celebration in your pair space on or off")
    @app_commands.describe(on="True: celebrate finished goals in your pair space; False: keep them quiet")
    async def celebrate(self, interaction: discord.Interaction[TandemBot], on: bool) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        await self.bot.goals.set_celebrate(guild.id, interaction.user.id, on)
        await reply(
            interaction,
            "Finished goals will be celebrated in your pair space." if on else "Finished goals won't be announced.",
        )


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(Goal(bot))
