"""/peeradmin audit, reports, resolve, resources, pause, resume, block, unblock, member: status, never content."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.pairing.wording import mention
from cogs.common.base import CogBase
from cogs.common.replies import fit, guild_of, plain, reply, timestamp
from cogs.safety.views import ResourcesModal

if TYPE_CHECKING:
    from bot.app.client import TandemBot

SHOWN = 20
RESOLVE_CHOICES = [
    Choice(name="Note only: close the case", value="note"),
    Choice(name="Pause the pair", value="pause"),
    Choice(name="End the pair (both told kindly)", value="end"),
    Choice(name="End the pair and block it from re-forming", value="block"),
]


class AdminSafetyCommands(CogBase):
    @app_commands.command(name="audit", description="The audit log of moderator actions (never content)")
    @app_commands.describe(member="Only entries about (or by) this member")
    async def audit(self, interaction: discord.Interaction[TandemBot], member: discord.Member | None = None) -> None:
        guild = guild_of(interaction)
        entries = await self.bot.audit.recent(guild.id, member_id=member.id if member else None, limit=SHOWN)
        if not entries:
            await reply(interaction, "The audit log has no entries yet.")
            return
        lines = [f"**Audit log** (latest {len(entries)}; `tandem verify-audit` checks the hash chain)"]
        for e in entries:
            who = mention(e.actor_id) if e.actor_id else "Tandem"
            parts = [f"#{e.entry_id} {timestamp(e.at, 'f')} · {who} · {e.action}"]
            if e.pair_id is not None:
                parts.append(f"pair #{e.pair_id}")
            if e.case_id is not None:
                parts.append(f"case #{e.case_id}")
            parts.extend(mention(m) for m in e.member_ids)
            if e.detail:
                parts.append(plain(e.detail))
            if e.reason:
                parts.append(f"why: {plain(e.reason)}")
            lines.append("- " + " · ".join(parts))
        await reply(interaction, fit("\n".join(lines)))

    @app_commands.command(name="reports", description="Open report cases")
    async def reports(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        cases = await self.bot.safety.open_reports(guild.id)
        if not cases:
            await reply(interaction, "There are no open reports.")
            return
        lines = [f"**Open reports: {len(cases)}**"]
        for c in cases[:SHOWN]:
            about = f"pair #{c.pair_id}" if c.pair_id is not None else "no pair"
            who = mention(c.reporter_id) if c.reporter_id else "a former member"
            lines.append(f"- **Case #{c.case_id}** · {timestamp(c.created_at, 'R')} · {about} · from {who}")
            lines.append(f"  {plain(c.text[:300])}" + ("…" if len(c.text) > 300 else ""))
        await reply(interaction, fit("\n".join(lines)))

    @app_commands.command(name="resolve", description="Close a report case with an action")
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
        outcome = await self.bot.safety.resolve(guild.id, case, action.value, interaction.user.id, guild.name, note)
        await reply(interaction, outcome)

    @app_commands.command(name="resources", description="Set the support resources members see with /peer resources")
    async def resources(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        current = await self.bot.safety.resources(guild.id)
        await interaction.response.send_modal(ResourcesModal(current))

    @app_commands.command(name="pause", description="Pause the whole program: no matching until resumed")
    async def pause(self, interaction: discord.Interaction[TandemBot]) -> None:
        changed = await self.bot.safety.set_paused(guild_of(interaction).id, True)
        await reply(
            interaction,
            "The program is paused: no new pairs are made until /peeradmin resume; existing pairs carry on."
            if changed
            else "The program is already paused.",
        )

    @app_commands.command(name="resume", description="Resume the program after a pause")
    async def resume(self, interaction: discord.Interaction[TandemBot]) -> None:
        changed = await self.bot.safety.set_paused(guild_of(interaction).id, False)
        await reply(interaction, "The program is running again." if changed else "The program isn't paused.")

    @app_commands.command(name="block", description="Never pair these two members")
    async def block(
        self, interaction: discord.Interaction[TandemBot], member_a: discord.Member, member_b: discord.Member
    ) -> None:
        paired = await self.bot.safety.block(guild_of(interaction).id, member_a.id, member_b.id)
        text = f"{member_a.mention} and {member_b.mention} won't be paired (neither is told)."
        if paired:
            text += " They are paired right now; /peeradmin unpair ends it."
        await reply(interaction, text)

    @app_commands.command(name="unblock", description="Remove a moderators' block between two members")
    async def unblock(
        self, interaction: discord.Interaction[TandemBot], member_a: discord.Member, member_b: discord.Member
    ) -> None:
        removed, remains = await self.bot.safety.unblock(guild_of(interaction).id, member_a.id, member_b.id)
        text = "The block is removed." if removed else "There was no moderators' block between them."
        if remains:
            text += " A block one of them set stays in place, confidentially."
        await reply(interaction, text)

    @app_commands.command(name="forget", description="Erase a member's data on their request")
    async def forget(self, interaction: discord.Interaction[TandemBot], member: discord.Member) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        erased = await self.bot.privacy.erase(guild.id, member.id, guild.name)
        await reply(
            interaction,
            f"{member.mention}'s data is erased; their former partners' data is untouched."
            if erased
            else f"Tandem holds no data about {member.mention}.",
        )

    @app_commands.command(name="member", description="A member's program status (no content)")
    async def member(self, interaction: discord.Interaction[TandemBot], member: discord.Member) -> None:
        status = await self.bot.safety.member_status(guild_of(interaction).id, member.id)
        if not status.joined:
            await reply(interaction, f"{member.mention} hasn't joined the peer program.")
            return
        lines = [
            f"**{member.mention}**: {'in the program' if status.opted_in else 'opted out'} · {status.role}",
            f"Waitlist: since {timestamp(status.waiting_since, 'R')}" if status.waiting_since else "Waitlist: no",
        ]
        for pair_id, state, since in status.open_pairs:
            lines.append(f"Pair #{pair_id} · {state}" + (f" · since {timestamp(since)}" if since else ""))
        lines.append(f"Past pairings: {status.past_pairs}")
        if status.dms_closed:
            lines.append("Their DMs are closed to Tandem.")
        await reply(interaction, "\n".join(lines))
