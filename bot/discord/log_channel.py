"""Who can see the moderators' log channel, computed by discord.py from every role and overwrite.

Reports (and who filed them) are posted in the log channel, so no human other than a moderator may be
able to view it: a moderator is a member with Manage Server (Administrator and the owner included) or
one holding the server's moderator role. Other bots that can view it are only named, as a warning.

Every role is checked with ``channel.permissions_for(role)`` (@everyone's and the role's permissions,
then the @everyone and the role's overwrites, Administrator included), and every member overwrite with
``channel.permissions_for(member)``. A member who can view the channel without a member overwrite
does so through at least one role that can view it on its own, so these two checks find every human
who can see it (they may over-report someone a second role hides it from; never under-report). All from
discord.py's cache: no request is made.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

log = logging.getLogger(__name__)

EVERYONE = "@everyone"
ModeratorRoleOf = Callable[[int], Awaitable[int | None]]


class LogChannelExposed(Exception):
    """The log channel can be seen by someone who isn't a moderator: nothing was posted there."""


@dataclass(frozen=True)
class Exposure:
    others: tuple[str, ...] = ()  # roles and members (as mentions) who can see it but aren't moderators
    bots: tuple[str, ...] = ()  # other bots that can see it

    @property
    def exposed(self) -> bool:
        return bool(self.others)

    def who(self, limit: int = 5) -> str:
        shown = ", ".join(self.others[:limit])
        return shown + (f" and {len(self.others) - limit} more" if len(self.others) > limit else "")


def _role_name(role: discord.Role) -> str:
    return EVERYONE if role.is_default() else role.mention


def _moderator_role(role: discord.Role, moderator_role_id: int | None) -> bool:
    if role.is_default():
        return False  # "everyone" is never "only moderators"
    return role.id == moderator_role_id or role.permissions.manage_guild or role.permissions.administrator


def _moderator(member: discord.Member, moderator_role_id: int | None) -> bool:
    return member.guild_permissions.manage_guild or any(r.id == moderator_role_id for r in member.roles)


def exposure(channel: discord.abc.GuildChannel, moderator_role_id: int | None) -> Exposure:
    """Who besides moderators and this bot can view ``channel``."""
    guild = channel.guild
    me = guild.me
    others: list[str] = []
    bots: list[str] = []
    for role in guild.roles:
        if not channel.permissions_for(role).view_channel or _moderator_role(role, moderator_role_id):
            continue
        bot_id = role.tags.bot_id if role.tags is not None else None
        if bot_id is None:
            others.append(_role_name(role))  # boosters and integration roles are held by people
        elif me is None or bot_id != me.id:
            bots.append(f"<@{bot_id}>")
    for target, overwrite in channel.overwrites.items():
        if isinstance(target, discord.Role) or (me is not None and target.id == me.id):
            continue
        if not isinstance(target, discord.Member):  # a member discord.py has not cached: assume the worst
            if overwrite.view_channel:
                others.append(f"<@{target.id}>")
            continue
        if not channel.permissions_for(target).view_channel:
            continue
        if target.bot:
            bots.append(target.mention)
        elif not _moderator(target, moderator_role_id):
            others.append(target.mention)
    return Exposure(tuple(dict.fromkeys(others)), tuple(dict.fromkeys(bots)))


def exposed_line(channel_id: int, found: Exposure) -> str:
    """The one line moderators read on their next /peeradmin command while the channel is exposed."""
    return (
        f"⚠️ Tandem has stopped posting in <#{channel_id}>: {found.who()} can see it but aren't moderators. "
        "New reports are kept in `/peeradmin safety reports` (marked not delivered); deny them View Channel "
        "there, or choose another log channel with `/peeradmin setup`."
    )


class LogChannelGuard:
    """Checked before every post to the log channel: nothing is posted in a channel others can see."""

    def __init__(self) -> None:
        self.moderator_role_of: ModeratorRoleOf | None = None  # set by the composition root

    async def check(self, channel: object) -> None:
        """Raise :class:`LogChannelExposed` unless ``channel`` is a cached server channel only moderators
        (and bots) can see: a channel discord.py doesn't know is never posted in blind."""
        if not isinstance(channel, discord.abc.GuildChannel):
            log.warning("the log channel is not in discord.py's cache; nothing was posted")
            raise LogChannelExposed("the log channel could not be checked")
        role_id = await self.moderator_role_of(channel.guild.id) if self.moderator_role_of is not None else None
        if exposure(channel, role_id).exposed:
            log.warning("the log channel of guild %s is visible to non-moderators; nothing posted", channel.guild.id)
            raise LogChannelExposed("the log channel can be seen by non-moderators")
