"""Permission bits and Discord's documented permission computation.

https://discord.com/developers/docs/topics/permissions#permission-overwrites
Base permissions: guild owner → all; @everyone | member roles; Administrator → all.
Channel: @everyone overwrite (deny, then allow), role overwrites together (deny, then allow),
member overwrite (deny, then allow). Without View Channel nothing else applies; without
Send Messages the permissions that need it (mentions, TTS, embeds, files) are lost implicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
STREAM = 1 << 9
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
MANAGE_WEBHOOKS = 1 << 29
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
USE_EXTERNAL_STICKERS = 1 << 37
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40

ALL = (1 << 51) - 1

DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | STREAM
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | USE_EXTERNAL_STICKERS
    | SEND_MESSAGES_IN_THREADS
)

DEFAULT_BOT = (
    MANAGE_CHANNELS
    | MANAGE_ROLES
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | MANAGE_THREADS
    | CREATE_PRIVATE_THREADS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
)

NEEDS_SEND = MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS

ROLE_OVERWRITE = 0
MEMBER_OVERWRITE = 1


@dataclass
class Overwrite:
    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"id": self.id, "type": self.type, "allow": self.allow, "deny": self.deny}

    def payload(self) -> dict[str, object]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


def base_permissions(*, is_owner: bool, everyone_permissions: int, role_permissions: list[int]) -> int:
    """Guild-level permissions of a member."""
    if is_owner:
        return ALL
    perms = everyone_permissions
    for value in role_permissions:
        perms |= value
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def apply_overwrites(
    base: int, *, guild_id: int, member_id: int, role_ids: list[int], overwrites: dict[int, Overwrite]
) -> int:
    """Channel permissions from base permissions and the channel's overwrites, in Discord's order."""
    if base & ADMINISTRATOR:
        return ALL
    perms = base
    everyone = overwrites.get(guild_id)
    if everyone is not None:
        perms &= ~everyone.deny
        perms |= everyone.allow
    allow = deny = 0
    for role_id in role_ids:
        ow = overwrites.get(role_id)
        if ow is not None and ow.type == ROLE_OVERWRITE:
            allow |= ow.allow
            deny |= ow.deny
    perms &= ~deny
    perms |= allow
    member_ow = overwrites.get(member_id)
    if member_ow is not None and member_ow.type == MEMBER_OVERWRITE:
        perms &= ~member_ow.deny
        perms |= member_ow.allow
    return perms


def implicit(perms: int) -> int:
    """Drop what Discord implicitly denies: everything without View Channel, send-bound bits without Send."""
    if perms & ADMINISTRATOR:
        return ALL
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~NEEDS_SEND
    return perms
