"""Message bodies: validation with Discord's limits and errors, mentions as Discord computes them."""

from __future__ import annotations

import re
from typing import Any

from . import permissions as P
from .errors import SandboxError, empty_message
from .form import Form
from .message_rules import check_message_body
from .snowflake import iso_now, new_snowflake
from .state import Channel, Guild, Message, State, User

JSON = dict[str, Any]

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def validate_body(body: JSON, *, require_content: bool, has_files: bool = False) -> None:
    """Raise 50035 (see ``message_rules``) / 50006 for a message body Discord would refuse."""
    form = Form()
    check_message_body(form, body)
    form.raise_if_any()
    if require_content and not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or has_files
        or body.get("sticker_ids")
        or body.get("poll")
        or body.get("attachments")
    ):
        raise empty_message()


def compute_mentions(state: State, msg: Message, guild: Guild | None, channel: Channel, author_perms: int) -> None:
    """Fill ``mentions``/``mention_roles``/``mention_everyone`` as Discord does given ``allowed_mentions``."""
    allowed = msg.allowed_mentions
    parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
    allowed_users = {int(u) for u in (allowed or {}).get("users", [])}
    allowed_roles = {int(r) for r in (allowed or {}).get("roles", [])}
    content = msg.content or ""
    users: list[int] = []
    for raw in _USER_MENTION.findall(content):
        uid = int(raw)
        if uid in state.users and uid not in users and ("users" in parse or uid in allowed_users):
            users.append(uid)
    reference = msg.message_reference
    if reference is not None and (allowed is None or allowed.get("replied_user", False)):
        ref = state.messages.get(int(reference.get("message_id", 0)))
        if ref is not None and ref.author.id not in users:
            users.append(ref.author.id)
    roles: list[int] = []
    if guild is not None:
        for raw in _ROLE_MENTION.findall(content):
            rid = int(raw)
            role = guild.roles.get(rid)
            if role is None or rid in roles or not ("roles" in parse or rid in allowed_roles):
                continue
            if role.mentionable or author_perms & P.MENTION_EVERYONE:
                roles.append(rid)
    everyone = (
        ("@everyone" in content or "@here" in content)
        and "everyone" in parse
        and (guild is None or bool(author_perms & P.MENTION_EVERYONE))
    )
    msg.mentions, msg.mention_roles, msg.mention_everyone = users, roles, everyone


def new_message(
    state: State,
    body: JSON,
    *,
    author: User,
    channel: Channel,
    author_perms: int,
    attachments: list[JSON] | None = None,
    msg_type: int = 0,
) -> Message:
    guild = state.guild_of(channel)
    msg = Message(
        id=new_snowflake(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author=author,
        content=body.get("content") or "",
        embeds=list(body.get("embeds") or []),
        components=list(body.get("components") or []),
        flags=int(body.get("flags") or 0) & ((1 << 6) | (1 << 2) | (1 << 12) | (1 << 15)),
        allowed_mentions=body.get("allowed_mentions"),
        attachments=attachments or [],
        tts=bool(body.get("tts")),
        type=msg_type,
        message_reference=body.get("message_reference"),
    )
    if msg.message_reference is not None:
        msg.type = 19 if msg_type == 0 else msg_type
    compute_mentions(state, msg, guild, channel, author_perms)
    return msg


def apply_edit(state: State, msg: Message, body: JSON, author_perms: int) -> None:
    """Apply a PATCH body; refuses (before changing anything) an edit that would empty the message."""
    validate_body(body, require_content=False)
    keeps_something = (
        (body.get("content", msg.content))
        or (body.get("embeds", msg.embeds))
        or (body.get("components", msg.components))
        or (body["attachments"] if body.get("attachments") is not None else msg.attachments)
    )
    if not keeps_something and not msg.flags & (1 << 7):
        raise SandboxError(50006, "Cannot send an empty message", 400)
    if "content" in body:
        msg.content = body["content"] or ""
    if "embeds" in body:
        msg.embeds = list(body["embeds"] or [])
    if "components" in body:
        msg.components = list(body["components"] or [])
    if "allowed_mentions" in body:
        msg.allowed_mentions = body["allowed_mentions"]
    if "attachments" in body and body["attachments"] is not None:
        keep = {str(a.get("id")) for a in body["attachments"]}
        msg.attachments = [a for a in msg.attachments if str(a["id"]) in keep]
    if "flags" in body and body["flags"] is not None:
        # only SUPPRESS_EMBEDS can be changed by an edit; EPHEMERAL stays as it was
        msg.flags = (msg.flags & ~(1 << 2)) | (int(body["flags"]) & (1 << 2))
    msg.edited_timestamp = iso_now()
    channel = state.channel(msg.channel_id)
    compute_mentions(state, msg, state.guild_of(channel), channel, author_perms)
