"""REST: channel messages and DM channels."""

from __future__ import annotations

from typing import Any

from . import permissions as P
from .access import bot_channel_perms, require, visible_channel
from .errors import SandboxError, cannot_dm_user, cannot_edit_others_message, form_error, missing_permissions
from .messages import apply_edit, new_message, validate_body
from .server import Ctx, Router
from .snowflake import new_snowflake, parse_id
from .state import DM, Channel, Message, State, message_payload

JSON = dict[str, Any]


_ATTACHMENT_BYTES: dict[int, bytes] = {}


def attachment_bytes(attachment_id: int | str) -> bytes:
    """The bytes of a file the bot uploaded (tests read exported JSON or chart PNGs with it)."""
    return _ATTACHMENT_BYTES[int(attachment_id)]


def attachments_from(files: list[JSON], channel_id: int) -> list[JSON]:
    out = []
    for f in files:
        aid = new_snowflake()
        _ATTACHMENT_BYTES[aid] = f.get("data", b"")
        url = f"https://cdn.discordapp.com/attachments/{channel_id}/{aid}/{f['filename']}"
        out.append(
            {
                "id": str(aid),
                "filename": f["filename"],
                "size": f["size"],
                "url": url,
                "proxy_url": url,
                "content_type": f.get("content_type"),
            }
        )
    return out


def author_perms(state: State, channel: Channel) -> int:
    if channel.guild_id is None:
        return P.ALL
    return bot_channel_perms(state, channel)


def check_can_send(state: State, channel: Channel) -> None:
    if channel.type == DM:
        recipient = state.user(channel.recipient_id or 0)
        if recipient.bot or not recipient.dms_open:
            raise cannot_dm_user()
        return
    perms = bot_channel_perms(state, channel)
    if channel.is_thread:
        require(perms, P.SEND_MESSAGES_IN_THREADS)
        if channel.archived and not perms & P.MANAGE_THREADS:
            raise SandboxError(50083, "Thread is archived", 400)
        if channel.locked and not perms & P.MANAGE_THREADS:
            raise missing_permissions()
    else:
        require(perms, P.SEND_MESSAGES)


MAX_NONCE = 25


def _nonce(body: JSON) -> str | None:
    raw = body.get("nonce")
    if raw is None:
        return None
    nonce = str(raw)
    if len(nonce) > MAX_NONCE:
        raise form_error("nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_NONCE} or fewer in length.")
    return nonce


def _earlier_with_nonce(ctx: Ctx, nonce: str | None, enforce: bool) -> Message | None:
    """With ``enforce_nonce``, a message the same author sent with the same nonce in the past few
    minutes is returned instead of creating a new one (Discord's documented idempotency)."""
    if nonce is None or not enforce:
        return None
    state = ctx.sb.state
    found = state.nonces.get((ctx.sb.bot_user.id, nonce))
    if found is None or ctx.sb.clock() - found[1] > ctx.sb.limits.nonce_seconds:
        return None
    earlier = state.messages.get(found[0])
    return None if earlier is None or earlier.deleted else earlier


async def send_message(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    body = ctx.body if isinstance(ctx.body, dict) else {}
    validate_body(body, require_content=True, has_files=bool(ctx.files))
    nonce = _nonce(body)
    earlier = _earlier_with_nonce(ctx, nonce, bool(body.get("enforce_nonce")))
    if earlier is not None:
        return message_payload(state, earlier)
    check_can_send(state, channel)
    perms = author_perms(state, channel)
    if body.get("embeds") and not perms & P.EMBED_LINKS:
        body = {**body, "embeds": []}  # Discord drops embeds silently without Embed Links
    if ctx.files:
        require(perms, P.ATTACH_FILES)
    if body.get("flags") and int(body["flags"]) & (1 << 6):
        raise form_error("flags", "MESSAGE_FLAGS_INVALID", "Cannot set ephemeral flag outside interactions")
    msg = new_message(
        state,
        body,
        author=ctx.sb.bot_user,
        channel=channel,
        author_perms=perms,
        attachments=attachments_from(ctx.files, channel.id),
    )
    if nonce is not None:
        msg.nonce = nonce
        state.nonces[(ctx.sb.bot_user.id, nonce)] = (msg.id, ctx.sb.clock())
    ctx.sb.changes.message_created(msg)
    return message_payload(state, msg)


def _readable(ctx: Ctx) -> Channel:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    if channel.guild_id is not None:
        require(bot_channel_perms(state, channel), P.READ_MESSAGE_HISTORY)
    return channel


async def list_messages(ctx: Ctx) -> list[JSON]:
    state = ctx.sb.state
    channel = _readable(ctx)
    try:
        limit = int(ctx.query.get("limit", "50"))
    except ValueError:
        raise form_error("limit", "NUMBER_TYPE_COERCE", "Value is not int.") from None
    if not 1 <= limit <= 100:
        raise form_error("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
    msgs = [m for m in state.channel_messages.get(channel.id, []) if not m.deleted and not m.ephemeral]
    before, after, around = (parse_id(ctx.query.get(k)) for k in ("before", "after", "around"))
    if before is not None:
        msgs = [m for m in msgs if m.id < before]
        msgs = msgs[-limit:]
    elif after is not None:
        msgs = [m for m in msgs if m.id > after][:limit]
    elif around is not None:
        older = [m for m in msgs if m.id <= around][-((limit + 1) // 2) :]
        newer = [m for m in msgs if m.id > around][: limit // 2]
        msgs = older + newer
    else:
        msgs = msgs[-limit:]
    return [message_payload(state, m) for m in reversed(msgs)]


def _message(ctx: Ctx, channel: Channel) -> Message:
    msg = ctx.sb.state.message(channel.id, ctx.id("message_id"))
    if msg.ephemeral:
        raise SandboxError(10008, "Unknown Message", 404)
    return msg


async def get_message(ctx: Ctx) -> JSON:
    channel = _readable(ctx)
    return message_payload(ctx.sb.state, _message(ctx, channel))


async def edit_message(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    msg = _message(ctx, channel)
    if msg.author.id != state.bot_user_id or msg.webhook_id is not None:
        raise cannot_edit_others_message()
    apply_edit(state, msg, ctx.json_body(), author_perms(state, channel))
    ctx.sb.changes.message_updated(msg)
    return message_payload(state, msg)


async def delete_message(ctx: Ctx) -> None:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    msg = _message(ctx, channel)
    if msg.author.id != state.bot_user_id and channel.guild_id is not None:
        require(bot_channel_perms(state, channel), P.MANAGE_MESSAGES)
    elif msg.author.id != state.bot_user_id:
        raise cannot_edit_others_message()
    ctx.sb.changes.message_deleted(msg)


async def open_dm(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    body = ctx.json_body()
    uid = parse_id(body.get("recipient_id"))
    if uid is None:
        raise form_error("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
    user = state.user(uid)
    channel = state.dm_channel(user)
    return channel.payload([user])


def register(router: Router) -> None:
    router.add("POST", "/channels/{channel_id}/messages", send_message)
    router.add("GET", "/channels/{channel_id}/messages", list_messages)
    router.add("GET", "/channels/{channel_id}/messages/{message_id}", get_message)
    router.add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message)
    router.add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message)
    router.add("POST", "/users/@me/channels", open_dm)
