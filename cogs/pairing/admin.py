"""/peeradmin setup, match, pair, unpair, pairs: running pairings from status, never content."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot.core.text import channel_link, mention
from bot.discord.log_channel import EVERYONE, Exposure, exposure
from bot.pairing.states import OddOneOut
from cogs.common.base import CogBase
from cogs.common.replies import ack, fit, guild_of, reply
from cogs.pairing.texts import pair_line

if TYPE_CHECKING:
    from bot.app.client import TandemBot

PAIRS_SHOWN = 40


class AdminPairCommands(CogBase):
    @app_commands.command(name="setup", description="Where pair spaces go, who moderates, and the topic list")
    @app_commands.describe(
        category="Category for private pair channels",
        hub="Channel under which private threads are opened when the server is out of channels",
        moderator_role="Role whose members may use /peeradmin (besides Manage Server)",
        log_channel="Channel where Tandem posts status notes for moderators (never member content)",
        topics="This server's topics, separated by commas (replaces the list)",
        odd_one_out="When a round leaves one member over: make a trio, or keep them first on the waitlist",
        cooldown_days="Days before two former partners may be matched again (default 90)",
        discreet="DMs say only 'You have a new message from <server>', details in an embed (default off)",
    )
    async def setup_(
        self,
        interaction: discord.Interaction[TandemBot],
        category: discord.CategoryChannel | None = None,
        hub: discord.TextChannel | None = None,
        moderator_role: discord.Role | None = None,
        log_channel: discord.TextChannel | None = None,
        topics: app_commands.Range[str, 1, 1000] | None = None,
        odd_one_out: Literal["trio", "waitlist"] | None = None,
        cooldown_days: app_commands.Range[int, 0, 3650] | None = None,
        discreet: bool | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        role_id = moderator_role.id if moderator_role else await self.bot.profiles.moderator_role(guild.id)
        seen = exposure(log_channel, role_id) if log_channel is not None else Exposure()  # only moderators
        problem = _permission_problem(guild.me, category, hub, log_channel) or _log_exposed(seen)
        if problem:
            await reply(interaction, problem)
            return
        settings = await self.bot.profiles.setup(
            guild.id,
            interaction.user.id,
            category_id=category.id if category else None,
            hub_channel_id=hub.id if hub else None,
            moderator_role_id=moderator_role.id if moderator_role else None,
            log_channel_id=log_channel.id if log_channel else None,
            topics=topics,
            odd_one_out=odd_one_out,
            cooldown_days=cooldown_days,
            discreet_dms=discreet,
        )
        lines = [
            "The peer program is set up.",
            f"Pair channels: {_link(settings.category_id)}",
            f"Private-thread hub: {_link(settings.hub_channel_id)}",
            f"Moderator role: {_role(settings.moderator_role_id)}",
            f"Log channel: {_link(settings.log_channel_id)}",
            f"Topics: {', '.join(settings.topics) or 'none yet'}",
            f"Odd one out: {'joins a trio' if settings.odd_one_out == OddOneOut.TRIO else 'first on the waitlist'}; "
            f"former partners may meet again after {settings.cooldown_days} days",
            "Discreet DMs: "
            + (
                "on (a DM's preview names only the server)"
                if settings.discreet_dms
                else "off (DMs say what they are about)"
            ),
        ]
        if seen.bots:
            lines.append(
                "Note: other bots can read the log channel, reports included: "
                + ", ".join(seen.bots[:5])
                + ". Remove their View Channel there unless you trust them with reports."
            )
        admins = [r for r in guild.roles if r.permissions.administrator and not r.managed and not r.is_default()]
        if settings.hub_channel_id:
            threads = [r for r in guild.roles if r.permissions.manage_threads and not r.managed and not r.is_default()]
            if threads:
                lines.append(
                    "Note: members with Manage Threads ("
                    + ", ".join(r.mention for r in threads[:5])
                    + ") can see private threads, so pair threads under the hub are visible to them."
                )
        if admins:
            lines.append(
                "Note: members with Administrator (" + ", ".join(r.mention for r in admins[:5]) + ") can see "
                "every channel, pair spaces included; Discord gives Tandem no way to hide them. Consider "
                "running moderation from a role without Administrator."
            )
        await reply(interaction, fit("\n".join(lines)))

    @app_commands.command(name="match", description="Run a matching round over the waitlist")
    @app_commands.describe(dry_run="Only show the proposed pairs; create nothing")
    async def match(self, interaction: discord.Interaction[TandemBot], dry_run: bool = False) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.bot.rounds.run_round(guild.id, interaction.user.id, dry_run=dry_run)
        lines: list[str] = []
        if dry_run:
            lines.append(f"**Dry run**: {len(outcome.proposed)} pairs proposed; nothing was created.")
            # no score: part of it comes from community tags, which moderators never see (issue 10, #10)
            for members, _score, reasons in outcome.proposed[:PAIRS_SHOWN]:
                names = " + ".join(mention(m) for m in members)
                lines.append(f"- {names} · {'; '.join(reasons)}")
        else:
            lines.append(f"Made {len(outcome.made)} pairs.")
            lines.extend(f"- {pair_line(p)}" for p in outcome.made[:PAIRS_SHOWN])
            if outcome.failure:
                lines.append(f"Stopped early: {outcome.failure}")
        if outcome.unmatched:
            lines.append(f"{len(outcome.unmatched)} still waiting:")
            lines.extend(f"- {mention(uid)}: {reason}" for uid, reason in outcome.unmatched[:PAIRS_SHOWN])
        if not outcome.proposed and not outcome.unmatched:
            lines = ["The waitlist is empty: nobody is waiting for a partner."]
        await reply(interaction, fit("\n".join(lines)))

    @app_commands.command(name="pair", description="Pair two members by hand")
    @app_commands.describe(member_a="The first member of the new pair", member_b="The second member of the new pair")
    async def pair(
        self, interaction: discord.Interaction[TandemBot], member_a: discord.Member, member_b: discord.Member
    ) -> None:
        guild = guild_of(interaction)
        if member_a.bot or member_b.bot:
            await reply(interaction, "Bots can't take part in the peer program; choose two members.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        pair = await self.bot.rounds.pair_manually(guild.id, interaction.user.id, member_a.id, member_b.id)
        await reply(interaction, f"Paired: {pair_line(pair)}.")

    @app_commands.command(name="unpair", description="End a member's pairing (both are told kindly)")
    @app_commands.describe(member="The member whose pairing ends")
    async def unpair(self, interaction: discord.Interaction[TandemBot], member: discord.Member) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        ended = await self.bot.endings.unpair(guild.id, interaction.user.id, member.id, guild.name)
        await reply(interaction, f"Ended {len(ended)} pairing(s) of {member.mention}; both members were told kindly.")

    @app_commands.command(name="pairs", description="Open pairs: members, since when, status (no content)")
    async def pairs(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        pairs = await self.bot.rounds.list_pairs(guild.id, interaction.user.id)
        if not pairs:
            await reply(interaction, "There are no open pairs yet.")
            return
        health = await self.bot.checkins.health(guild.id)  # from dates only, never content
        lines = [f"**Open pairs: {len(pairs)}**"]
        lines.extend(
            f"- #{p.pair_id} {pair_line(p)} · {p.status}" + (f" · {health[p.pair_id]}" if p.pair_id in health else "")
            for p in pairs[:PAIRS_SHOWN]
        )
        if len(pairs) > PAIRS_SHOWN:
            lines.append(f"…and {len(pairs) - PAIRS_SHOWN} more.")
        await reply(interaction, fit("\n".join(lines)))


def _link(channel_id: int | None) -> str:
    return channel_link(channel_id) if channel_id else "not set"


def _role(role_id: int | None) -> str:
    return f"<@&{role_id}>" if role_id else "members with Manage Server"


def _hub_problem(hub: discord.TextChannel) -> str | None:
    """Private threads exist only in text channels members can see (Discord error 50024 otherwise)."""
    if hub.type != discord.ChannelType.text:
        return (
            "Private threads can only be opened in a plain text channel, not an announcement channel; "
            "choose a text channel as the hub and run /peeradmin setup again."
        )
    roles = [r for r in hub.guild.roles if not r.managed and not r.permissions.administrator]
    if not any(hub.permissions_for(role).view_channel for role in roles):
        return (
            "Members can't see that hub channel, and pair threads inherit it, so nothing was changed; "
            "choose a channel members can see and run /peeradmin setup again."
        )
    return None


def _permission_problem(
    me: discord.Member,
    category: discord.CategoryChannel | None,
    hub: discord.TextChannel | None,
    log_channel: discord.TextChannel | None,
) -> str | None:
    if category is not None:
        perms = category.permissions_for(me)
        if not (perms.manage_channels and me.guild_permissions.manage_roles and perms.view_channel):
            return (
                "I need the View Channel, Manage Channels and Manage Roles permissions in that category "
                "to open private pair channels; grant them and run /peeradmin setup again."
            )
    if hub is not None:
        hub_problem = _hub_problem(hub)
        if hub_problem:
            return hub_problem
        perms = hub.permissions_for(me)
        if not (
            perms.view_channel
            and perms.create_private_threads
            and perms.send_messages_in_threads
            and perms.manage_threads
        ):
            return (
                "I need View Channel, Create Private Threads, Send Messages in Threads and Manage Threads "
                "in the hub channel; grant them and run /peeradmin setup again."
            )
    if log_channel is not None:
        perms = log_channel.permissions_for(me)
        if not (perms.view_channel and perms.send_messages):
            return "I need to see and send messages in the log channel; allow that and run setup again."
    return None


def _log_exposed(seen: Exposure) -> str | None:
    if not seen.exposed:
        return None
    if EVERYONE in seen.others:
        return (
            "Everyone in the server can see that log channel, and private reports are posted there, so "
            "nothing was changed; choose a channel only moderators can see and run setup again."
        )
    return (
        f"{seen.who()} can see that log channel but aren't moderators, and private reports are posted there, "
        "so nothing was changed; deny them View Channel there (or choose a channel only moderators can see) "
        "and run /peeradmin setup again."
    )
