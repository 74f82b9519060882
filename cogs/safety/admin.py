"""/peeradmin member, forget, stats, audit: a member's status, erasure on request, numbers, the audit log."""

from __future__ import annotations

import asyncio
import io
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.core.errors import InvalidInput
from bot.core.text import mention
from bot.safety.stats import render_chart
from cogs.common.base import CogBase
from cogs.common.replies import ack, fit, guild_of, plain, reply, timestamp

if TYPE_CHECKING:
    from bot.app.client import TandemBot

SHOWN = 20
_USER_ID = re.compile(r"<@!?(\d{15,21})>|(\d{15,21})")
WHO = "The member, if they are still on the server"
WHO_ID = "Or their user id (for a member who left the server)"


def chosen_member(member: discord.User | None, member_id: str | None) -> int:
    """The member a moderator means: chosen from the list, or by id (a departed member can't be chosen)."""
    if member is not None and member_id:
        raise InvalidInput("Choose the member or give their id, not both.")
    if member is not None:
        return member.id
    found = _USER_ID.fullmatch((member_id or "").strip())
    if found is None:
        raise InvalidInput("Choose a member, or give the user id of one who left the server (a long number).")
    return int(found.group(1) or found.group(2))


class AdminSafetyCommands(CogBase):
    @app_commands.command(name="member", description="A member's program status (no content)")
    @app_commands.describe(member=WHO, member_id=WHO_ID)
    async def member(
        self,
        interaction: discord.Interaction[TandemBot],
        member: discord.User | None = None,
        member_id: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        await ack(interaction)
        user_id = chosen_member(member, member_id)
        status = await self.bot.safety.member_status(guild_of(interaction).id, interaction.user.id, user_id)
        if not status.joined:
            await reply(interaction, f"{mention(user_id)} hasn't joined the peer program.")
            return
        lines = [
            f"**{mention(user_id)}**: {'in the program' if status.opted_in else 'opted out'} · {status.role}",
            f"Waitlist: since {timestamp(status.waiting_since, 'R')}" if status.waiting_since else "Waitlist: no",
        ]
        for pair_id, state, since in status.open_pairs:
            lines.append(f"Pair #{pair_id} · {state}" + (f" · since {timestamp(since)}" if since else ""))
        lines.append(f"Past pairings: {status.past_pairs}")
        if status.dms_closed:
            lines.append("Their DMs are closed to Tandem.")
        await reply(interaction, "\n".join(lines))

    @app_commands.command(name="forget", description="Erase a member's data on their request")
    @app_commands.describe(member=WHO, member_id=WHO_ID)
    async def forget(
        self,
        interaction: discord.Interaction[TandemBot],
        member: discord.User | None = None,
        member_id: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        user_id = chosen_member(member, member_id)
        erased = await self.bot.privacy.forget(guild.id, interaction.user.id, user_id, guild.name)
        await reply(
            interaction,
            f"{mention(user_id)}'s data is erased; their former partners' data is untouched."
            if erased
            else f"Tandem holds no data about {mention(user_id)}.",
        )

    @app_commands.command(name="stats", description="Program numbers and a chart (small groups not shown)")
    async def stats(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        numbers = await self.bot.stats.shown_to(guild.id, interaction.user.id)
        png = await asyncio.to_thread(render_chart, numbers)
        lines = ["**Peer program**", *numbers.lines(), "Counts from 1 to 4 are shown as “fewer than 5”."]
        await interaction.followup.send(
            fit("\n".join(lines)),
            file=discord.File(io.BytesIO(png), filename="tandem-stats.png"),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="audit", description="The audit log of moderator actions (never content)")
    @app_commands.describe(member="Only entries about (or by) this member")
    async def audit(self, interaction: discord.Interaction[TandemBot], member: discord.Member | None = None) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        entries = await self.bot.audit.shown_to(
            guild.id, interaction.user.id, member_id=member.id if member else None, limit=SHOWN
        )
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
