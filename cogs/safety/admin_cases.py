"""/peeradmin safety reports, resolve, block, unblock, access: report cases, blocks, break-glass viewing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.core.text import mention
from bot.safety.access import DEFAULT_MINUTES
from bot.safety.states import Resolution
from cogs.common.base import CogBase
from cogs.common.groups import SAFETY
from cogs.common.replies import ack, fit, guild_of, plain, reply, timestamp

if TYPE_CHECKING:
    from bot.app.client import TandemBot

SHOWN = 20
RESOLVE_CHOICES = [
    Choice(name="Note only: close the case", value=Resolution.NOTE.value),
    Choice(name="Pause the pair", value=Resolution.PAUSE.value),
    Choice(name="End the pair (both told kindly)", value=Resolution.END.value),
    Choice(name="End the pair and block it from re-forming", value=Resolution.BLOCK.value),
]


class AdminCaseCommands(CogBase):
    @SAFETY.command(name="reports", description="Open report cases")
    async def reports(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        cases = await self.bot.safety.open_reports(guild.id, interaction.user.id)
        if not cases:
            await reply(interaction, "There are no open reports.")
            return
        lines = [f"**Open reports: {len(cases)}**"]
        for c in cases[:SHOWN]:
            about = f"pair #{c.pair_id}" if c.pair_id is not None else "no pair"
            who = mention(c.reporter_id) if c.reporter_id else "a former member"
            flag = "" if c.delivered else " · ⚠️ not delivered to the log channel"
            lines.append(f"- **Case #{c.case_id}** · {timestamp(c.created_at, 'R')} · {about} · from {who}{flag}")
            more = f"… ({len(c.text) - 300} more characters)" if len(c.text) > 300 else ""
            lines.append(f"  {plain(c.text[:300])}{more}")
        if len(cases) > SHOWN:
            lines.append(f"…and {len(cases) - SHOWN} more open cases.")
        await reply(interaction, fit("\n".join(lines)))

    @SAFETY.command(name="resolve", description="Close a report case with an action")
    @app_commands.describe(case="The case id", action="What to do", note="Optional private note on the case")
    @app_commands.choices(action=RESOLVE_CHOICES)
    async def resolve(
        self,
        interaction: discord.Interaction[TandemBot],
        case: app_commands.Range[int, 1],
        action: Choice[str],
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.safety.resolve(
            guild.id, case, Resolution(action.value), interaction.user.id, guild.name, note
        )
        await reply(interaction, outcome)

    @SAFETY.command(name="block", description="Never pair these two members")
    @app_commands.describe(member_a="One of the two members", member_b="The other member")
    async def block(
        self, interaction: discord.Interaction[TandemBot], member_a: discord.Member, member_b: discord.Member
    ) -> None:
        await ack(interaction)
        paired = await self.bot.safety.block(guild_of(interaction).id, interaction.user.id, member_a.id, member_b.id)
        text = f"{member_a.mention} and {member_b.mention} won't be paired (neither is told)."
        if paired:
            text += " They are paired right now; /peeradmin unpair ends it."
        await reply(interaction, text)

    @SAFETY.command(name="unblock", description="Remove a moderators' block between two members")
    @app_commands.describe(member_a="One of the two members", member_b="The other member")
    async def unblock(
        self, interaction: discord.Interaction[TandemBot], member_a: discord.Member, member_b: discord.Member
    ) -> None:
        await ack(interaction)
        await self.bot.safety.unblock(guild_of(interaction).id, interaction.user.id, member_a.id, member_b.id)
        # the same words whatever was held, so that they never tell whether one of them set a block (issue 10, #9)
        await reply(
            interaction,
            "No moderators' block stands between them now; anything else that keeps two members apart stays "
            "confidential.",
        )

    @SAFETY.command(name="access", description="Break-glass: read one pair's space for a while; the pair is told")
    @app_commands.describe(
        pair="The pair id (from /peeradmin pairs)",
        reason="Why you need to look; shown to the pair and kept in the audit log",
        minutes=f"How long, from 1 to 1440 minutes (default {DEFAULT_MINUTES})",
    )
    async def access(
        self,
        interaction: discord.Interaction[TandemBot],
        pair: int,
        reason: app_commands.Range[str, 1, 200],
        minutes: int | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        grant = await self.bot.access.grant(
            guild.id, pair, interaction.user.id, reason, minutes if minutes is not None else DEFAULT_MINUTES
        )
        await reply(
            interaction,
            f"You can read pair #{grant.pair_id}'s space until {timestamp(grant.expires_at, 'f')}; "
            "the pair has been told who is looking and why.",
        )
