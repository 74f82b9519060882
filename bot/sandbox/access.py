"""Checks the bot's access the way Discord does before acting on its behalf."""

from __future__ import annotations

from . import permissions as P
from .errors import missing_access, missing_permissions, unknown_channel
from .state import DM, Channel, Guild, Member, State


def bot_member(state: State, guild: Guild) -> Member:
    return guild.members[state.bot_user_id]


def bot_guild_perms(state: State, guild: Guild) -> int:
    return state.base_permissions(guild, bot_member(state, guild))


def bot_channel_perms(state: State, channel: Channel) -> int:
    guild = state.guild(channel.guild_id or 0)
    return state.permissions_in(bot_member(state, guild), channel)


def visible_channel(state: State, channel_id: int) -> Channel:
    """A channel the bot can see: 10003 when it does not exist, 50001 when it cannot view it."""
    channel = state.channel(channel_id)
    if channel.type == DM:
        if channel.recipient_id is None:
            raise unknown_channel()
        return channel
    if not bot_channel_perms(state, channel) & P.VIEW_CHANNEL:
        raise missing_access()
    return channel


def require(perms: int, needed: int) -> None:
    if perms & needed != needed:
        raise missing_permissions()
