"""The sandbox's data model: users, guilds, roles, members, channels, threads, messages, commands.

Objects keep ints and Python values; ``payload()`` methods render them the way Discord does
(snowflakes as strings, permission bits as strings, ISO timestamps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import permissions as P
from .errors import unknown_channel, unknown_guild, unknown_member, unknown_message, unknown_user
from .snowflake import iso_now, new_snowflake

TEXT, DM, VOICE, CATEGORY, NEWS, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 1, 2, 4, 5, 11, 12, 15
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)
EPHEMERAL = 1 << 6
LOADING = 1 << 7

JSON = dict[str, Any]


@dataclass(eq=False)
class User:
    id: int
    username: str
    bot: bool = False
    dms_open: bool = True
    global_name: str | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name if self.global_name is not None else (None if self.bot else self.username),
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.username

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        data: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "avatar_decoration_data": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    overwrite_map: dict[int, P.Overwrite] = field(default_factory=dict)
    last_message_id: int | None = None
    # threads
    owner_id: int | None = None
    members: list[int] = field(default_factory=list)
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 4320
    message_count: int = 0
    created_at: str = field(default_factory=iso_now)
    # DMs
    recipient_id: int | None = None

    @property
    def overwrites(self) -> list[dict[str, int]]:
        return [ow.as_dict() for ow in self.overwrite_map.values()]

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def thread_member_payload(self, user_id: int, joined: str | None = None) -> JSON:
        return {
            "id": str(self.id),
            "user_id": str(user_id),
            "join_timestamp": joined or self.created_at,
            "flags": 0,
        }

    def payload(self, recipients: list[User] | None = None) -> JSON:
        last = str(self.last_message_id) if self.last_message_id else None
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": last,
                "flags": 0,
                "recipients": [u.payload() for u in recipients or []],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "flags": 0,
        }
        if self.is_thread:
            metadata: JSON = {
                "archived": self.archived,
                "auto_archive_duration": self.auto_archive_duration,
                "archive_timestamp": self.created_at,
                "locked": self.locked,
                "create_timestamp": self.created_at,
            }
            if self.type == PRIVATE_THREAD:
                metadata["invitable"] = self.invitable
            data.update(
                {
                    "owner_id": str(self.owner_id),
                    "last_message_id": last,
                    "rate_limit_per_user": self.rate_limit_per_user,
                    "message_count": self.message_count,
                    "total_message_sent": self.message_count,
                    "member_count": min(len(self.members), 50),
                    "thread_metadata": metadata,
                }
            )
            return data
        data.update(
            {
                "position": self.position,
                "permission_overwrites": [ow.payload() for ow in self.overwrite_map.values()],
                "nsfw": self.nsfw,
            }
        )
        if self.type in (TEXT, NEWS, FORUM):
            data.update(
                {
                    "topic": self.topic,
                    "last_message_id": last,
                    "rate_limit_per_user": self.rate_limit_per_user,
                    "default_auto_archive_duration": 4320,
                    "default_thread_rate_limit_per_user": 0,
                }
            )
        elif self.type == VOICE:
            data.update(
                {
                    "bitrate": 64000,
                    "user_limit": 0,
                    "rtc_region": None,
                    "last_message_id": last,
                    "rate_limit_per_user": 0,
                }
            )
        return data


@dataclass(eq=False)
class Message:
    """A message as recorded by the sandbox. Tests read its attributes directly."""

    id: int
    channel_id: int
    author: User
    content: str = ""
    guild_id: int | None = None
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: JSON | None = None
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    attachments: list[JSON] = field(default_factory=list)
    type: int = 0
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    interaction_user_id: int | None = None
    deleted: bool = False
    tts: bool = False
    message_reference: JSON | None = None
    nonce: str | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def author_id(self) -> int:
        return self.author.id


@dataclass(eq=False)
class Command:
    id: int
    application_id: int
    name: str
    description: str
    type: int = 1
    options: list[JSON] = field(default_factory=list)
    default_member_permissions: int | None = None
    dm_permission: bool = True
    contexts: list[int] | None = None
    integration_types: list[int] | None = None
    nsfw: bool = False
    guild_id: int | None = None
    version: int = field(default_factory=new_snowflake)
    name_localizations: JSON | None = None
    description_localizations: JSON | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.version),
            "default_member_permissions": (
                None if self.default_member_permissions is None else str(self.default_member_permissions)
            ),
            "type": self.type,
            "name": self.name,
            "name_localizations": self.name_localizations,
            "description": self.description,
            "description_localizations": self.description_localizations,
            "dm_permission": self.dm_permission,
            "contexts": self.contexts,
            "integration_types": self.integration_types if self.integration_types is not None else [0],
            "nsfw": self.nsfw,
        }
        if self.options:
            data["options"] = self.options
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    system_channel_id: int | None = None
    bot_role_id: int | None = None
    commands: dict[int, Command] = field(default_factory=dict)
    command_overrides: dict[str, bool] = field(default_factory=dict)
    joined_at: str = field(default_factory=iso_now)
    preferred_locale: str = "en-US"

    @property
    def owner(self) -> Member:
        return self.members[self.owner_id]

    @property
    def system_channel(self) -> Channel:
        if self.system_channel_id is None:
            raise unknown_channel()
        return self.channels[self.system_channel_id]

    @property
    def general(self) -> Channel:
        return self.system_channel

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]

    @property
    def bot_role(self) -> Role:
        if self.bot_role_id is None:
            raise KeyError("guild has no bot role")
        return self.roles[self.bot_role_id]

    def guild_channels(self) -> list[Channel]:
        return [c for c in self.channels.values() if not c.is_thread]

    def threads(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.is_thread]

    def member(self, user_id: int) -> Member:
        try:
            return self.members[user_id]
        except KeyError:
            raise unknown_member() from None

    def payload(self, *, with_counts: bool = False) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in sorted(self.roles.values(), key=lambda r: r.position)],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.system_channel_id) if self.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "public_updates_channel_id": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "incidents_data": None,
        }
        if with_counts:
            data["approximate_member_count"] = len(self.members)
            data["approximate_presence_count"] = 0
        return data


class State:
    """Every object in the sandbox, indexed by id."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.dm_channels: dict[int, Channel] = {}  # by recipient id
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}  # (author, nonce) -> (message, monotonic)
        self.global_commands: dict[int, Command] = {}
        self.bot_user_id: int = 0

    # --- lookups -------------------------------------------------------------------------------
    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise unknown_user() from None

    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise unknown_guild() from None

    def channel(self, channel_id: int) -> Channel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise unknown_channel() from None

    def message(self, channel_id: int, message_id: int) -> Message:
        msg = self.messages.get(message_id)
        if msg is None or msg.channel_id != channel_id or msg.deleted:
            raise unknown_message()
        return msg

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    # --- creation ------------------------------------------------------------------------------
    def new_user(self, username: str, *, bot: bool = False, dms_open: bool = True) -> User:
        user = User(new_snowflake(), username, bot=bot, dms_open=dms_open)
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        self.channel_messages.setdefault(channel.id, [])
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels[channel.id] = channel
        return channel

    def remove_channel(self, channel: Channel) -> None:
        self.channels.pop(channel.id, None)
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels.pop(channel.id, None)

    def dm_channel(self, user: User) -> Channel:
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = self.add_channel(Channel(new_snowflake(), DM, recipient_id=user.id))
            self.dm_channels[user.id] = channel
        return channel

    def add_message(self, message: Message) -> Message:
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message)
        channel = self.channels.get(message.channel_id)
        if channel is not None:
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
        return message

    # --- permissions ---------------------------------------------------------------------------
    def base_permissions(self, guild: Guild, member: Member) -> int:
        return P.base_permissions(
            is_owner=member.id == guild.owner_id,
            everyone_permissions=guild.everyone_role.permissions,
            role_permissions=[guild.roles[r].permissions for r in member.role_ids if r in guild.roles],
        )

    def permissions_in(self, member: Member, channel: Channel) -> int:
        """Permissions of ``member`` in ``channel`` (threads use their parent; private threads need
        membership or Manage Threads to be seen)."""
        guild = self.guild(member.guild_id)
        target = channel
        if channel.is_thread and channel.parent_id is not None:
            target = self.channels.get(channel.parent_id, channel)
        base = self.base_permissions(guild, member)
        perms = P.implicit(
            P.apply_overwrites(
                base,
                guild_id=guild.id,
                member_id=member.id,
                role_ids=member.role_ids,
                overwrites=target.overwrite_map,
            )
        )
        if (
            channel.type == PRIVATE_THREAD
            and member.id not in channel.members
            and not perms & (P.MANAGE_THREADS | P.ADMINISTRATOR)
        ):
            return 0
        return perms

    def member_of(self, guild: Guild, user: User | Member | int) -> Member:
        user_id = user if isinstance(user, int) else user.id
        return guild.member(user_id)


def message_payload(state: State, msg: Message, *, content_visible: bool = True) -> JSON:
    """A message the way Discord renders it."""
    guild = state.guilds.get(msg.guild_id) if msg.guild_id else None
    mentions: list[JSON] = []
    for uid in msg.mentions:
        user = state.users.get(uid)
        if user is None:
            continue
        entry = user.payload()
        if guild is not None and uid in guild.members:
            entry["member"] = guild.members[uid].payload(with_user=False)
        mentions.append(entry)
    data: JSON = {
        "id": str(msg.id),
        "type": msg.type,
        "channel_id": str(msg.channel_id),
        "author": msg.author.payload(),
        "content": msg.content if content_visible else "",
        "timestamp": msg.timestamp,
        "edited_timestamp": msg.edited_timestamp,
        "tts": msg.tts,
        "mention_everyone": msg.mention_everyone,
        "mentions": mentions,
        "mention_roles": [str(r) for r in msg.mention_roles],
        "attachments": msg.attachments if content_visible else [],
        "embeds": msg.embeds if content_visible else [],
        "components": msg.components if content_visible else [],
        "pinned": False,
        "flags": msg.flags,
    }
    if msg.guild_id is not None:
        data["guild_id"] = str(msg.guild_id)
        if guild is not None and msg.author.id in guild.members and msg.webhook_id is None:
            data["member"] = guild.members[msg.author.id].payload(with_user=False)
    if msg.webhook_id is not None:
        data["webhook_id"] = str(msg.webhook_id)
    if msg.application_id is not None:
        data["application_id"] = str(msg.application_id)
    if msg.message_reference is not None:
        data["message_reference"] = msg.message_reference
    if msg.nonce is not None:
        data["nonce"] = msg.nonce
    if msg.interaction_id is not None and msg.interaction_user_id is not None:
        data["interaction_metadata"] = {
            "id": str(msg.interaction_id),
            "type": 2,
            "user": state.user(msg.interaction_user_id).payload(),
            "authorizing_integration_owners": {"0": str(msg.guild_id)}
            if msg.guild_id
            else {"1": str(msg.interaction_user_id)},
        }
    return data
