"""REST: guild channels, permission overwrites, threads and thread members."""

from __future__ import annotations

from typing import Any

from . import permissions as P
from .access import bot_channel_perms, bot_guild_perms, bot_member, require, visible_channel
from .errors import (
    SandboxError,
    category_full,
    form_error,
    max_guild_channels,
    missing_access,
    missing_permissions,
    thread_archived,
    unknown_member,
    unknown_overwrite,
    unknown_role,
    unknown_user,
)
from .server import Ctx, Router
from .snowflake import new_snowflake, parse_id
from .state import (
    CATEGORY,
    FORUM,
    NEWS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    THREAD_TYPES,
    VOICE,
    Channel,
    Guild,
    State,
)

JSON = dict[str, Any]
GUILD_CHANNEL_TYPES = (TEXT, VOICE, CATEGORY, NEWS, 13, FORUM)
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
MAX_OVERWRITES = 100


def wrong_channel_type() -> SandboxError:
    return SandboxError(50024, "Cannot execute action on this channel type", 400)


def _bits(value: object, path: str) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise form_error(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')


def parse_overwrites(guild: Guild, raw: object) -> dict[int, P.Overwrite]:
    if not isinstance(raw, list):
        raise form_error("permission_overwrites", "BASE_TYPE_LIST", "Must be a list.")
    if len(raw) > MAX_OVERWRITES:
        raise form_error(
            "permission_overwrites", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_OVERWRITES} or fewer in length."
        )
    out: dict[int, P.Overwrite] = {}
    for i, item in enumerate(raw):
        oid = parse_id(item.get("id")) if isinstance(item, dict) else None
        if oid is None or not isinstance(item, dict):
            raise form_error(f"permission_overwrites.{i}.id", "BASE_TYPE_REQUIRED", "This field is required")
        otype = item.get("type")
        if otype in ("role", "member"):
            otype = 0 if otype == "role" else 1
        if otype not in (0, 1):
            raise form_error(f"permission_overwrites.{i}.type", "BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")
        if otype == 0 and oid not in guild.roles:
            raise unknown_role()
        out[oid] = P.Overwrite(
            oid,
            otype,
            _bits(item.get("allow"), f"permission_overwrites.{i}.allow"),
            _bits(item.get("deny"), f"permission_overwrites.{i}.deny"),
        )
    return out


def check_overwrite_grants(state: State, guild: Guild, channel: Channel | None, overwrites: list[P.Overwrite]) -> None:
    """Manage Roles is needed, and only permissions the bot has can be allowed or denied."""
    perms = bot_channel_perms(state, channel) if channel is not None else bot_guild_perms(state, guild)
    if perms & P.ADMINISTRATOR or bot_guild_perms(state, guild) & P.ADMINISTRATOR:
        return
    require(perms, P.MANAGE_ROLES)
    have = perms
    if channel is not None:
        # a Manage Roles overwrite for the bot in the channel lifts the restriction
        me = bot_member(state, guild)
        for ow in channel.overwrite_map.values():
            if (ow.id == me.id or ow.id in me.role_ids) and ow.allow & P.MANAGE_ROLES:
                return
        have = perms | bot_guild_perms(state, guild)
    for ow in overwrites:
        if (ow.allow | ow.deny) & ~have or (ow.allow | ow.deny) & P.MANAGE_ROLES:
            raise missing_permissions()


def _name(body: JSON, *, required: bool) -> str | None:
    name = body.get("name")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    return name


def _required_name(body: JSON) -> str:
    name = _name(body, required=True)
    if name is None:
        raise form_error("name", "BASE_TYPE_REQUIRED", "This field is required")
    return name


def normalize_text_name(name: str) -> str:
    return "-".join(name.lower().split())


def _category_room(ctx: Ctx, guild: Guild, parent_id: int, moving: Channel | None = None) -> None:
    children = [c for c in guild.guild_channels() if c.parent_id == parent_id and c is not moving]
    if len(children) >= ctx.sb.limits.max_category_channels:
        raise category_full()


def _parent(guild: Guild, raw: object) -> Channel | None:
    if raw is None:
        return None
    pid = parse_id(raw)
    parent = guild.channels.get(pid) if pid is not None else None
    if parent is None or parent.type != CATEGORY:
        raise form_error("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "Not a category")
    return parent


async def list_channels(ctx: Ctx) -> list[JSON]:
    guild = ctx.sb.state.guild(ctx.id("guild_id"))
    return [c.payload() for c in guild.guild_channels()]


async def create_channel(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    guild = state.guild(ctx.id("guild_id"))
    body = ctx.json_body()
    name = _required_name(body)
    ctype = body.get("type", TEXT) or TEXT
    if ctype not in GUILD_CHANNEL_TYPES:
        raise form_error("type", "BASE_TYPE_CHOICES", "Value must be one of {0, 2, 4, 5, 13, 14, 15, 16}.")
    if ctype == CATEGORY and body.get("parent_id") is not None:
        raise form_error("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "Categories cannot have a parent")
    topic = body.get("topic")
    if topic is not None and len(str(topic)) > 1024:
        raise form_error("topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.")
    parent = _parent(guild, body.get("parent_id"))
    perms = bot_channel_perms(state, parent) if parent is not None else bot_guild_perms(state, guild)
    require(perms, P.MANAGE_CHANNELS)
    overwrites: dict[int, P.Overwrite]
    if body.get("permission_overwrites") is not None:
        overwrites = parse_overwrites(guild, body["permission_overwrites"])
        check_overwrite_grants(state, guild, None, list(overwrites.values()))
    elif parent is not None:
        overwrites = {k: P.Overwrite(v.id, v.type, v.allow, v.deny) for k, v in parent.overwrite_map.items()}
    else:
        overwrites = {}
    if len(guild.guild_channels()) >= ctx.sb.limits.max_guild_channels:
        raise max_guild_channels()
    if parent is not None:
        _category_room(ctx, guild, parent.id)
    if ctype in (TEXT, NEWS, FORUM):
        name = normalize_text_name(name)
    siblings = [c for c in guild.guild_channels() if (c.type == CATEGORY) == (ctype == CATEGORY)]
    channel = Channel(
        new_snowflake(),
        ctype,
        name,
        guild_id=guild.id,
        parent_id=parent.id if parent else None,
        position=int(body.get("position") or len(siblings)),
        topic=topic,
        nsfw=bool(body.get("nsfw")),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        overwrite_map=overwrites,
    )
    state.add_channel(channel)
    ctx.sb.changes.channel_created(channel)
    return channel.payload()


async def get_channel(ctx: Ctx) -> JSON:
    channel = visible_channel(ctx.sb.state, ctx.id("channel_id"))
    if channel.recipient_id is not None:
        return channel.payload([ctx.sb.state.user(channel.recipient_id)])
    return channel.payload()


def _edit_thread(ctx: Ctx, thread: Channel, body: JSON) -> None:
    perms = bot_channel_perms(ctx.sb.state, thread)
    if not perms & P.VIEW_CHANNEL:
        raise missing_access()
    is_owner = thread.owner_id == ctx.sb.state.bot_user_id
    if not perms & P.MANAGE_THREADS and not (is_owner and set(body) <= {"name", "archived", "auto_archive_duration"}):
        raise missing_permissions()
    name = _name(body, required=False)
    if name is not None:
        thread.name = name
    if "archived" in body:
        thread.archived = bool(body["archived"])
    if "locked" in body:
        thread.locked = bool(body["locked"])
    if "invitable" in body and thread.type == PRIVATE_THREAD:
        thread.invitable = bool(body["invitable"])
    if body.get("auto_archive_duration") is not None:
        if body["auto_archive_duration"] not in ARCHIVE_DURATIONS:
            raise form_error(
                "auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}."
            )
        thread.auto_archive_duration = body["auto_archive_duration"]


async def edit_channel(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    body = ctx.json_body()
    if channel.guild_id is None:
        raise wrong_channel_type()
    guild = state.guild(channel.guild_id)
    if channel.is_thread:
        _edit_thread(ctx, channel, body)
    else:
        name = _name(body, required=False)
        require(bot_channel_perms(state, channel), P.MANAGE_CHANNELS)
        new_overwrites = None
        if body.get("permission_overwrites") is not None:
            new_overwrites = parse_overwrites(guild, body["permission_overwrites"])
            check_overwrite_grants(state, guild, channel, list(new_overwrites.values()))
        new_parent: Channel | None = None
        moving = "parent_id" in body and parse_id(body["parent_id"]) != channel.parent_id
        if moving and body["parent_id"] is not None:
            new_parent = _parent(guild, body["parent_id"])
            if channel.type == CATEGORY:
                raise form_error("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "Categories cannot have a parent")
            if new_parent is None:
                raise form_error("parent_id", "CHANNEL_PARENT_INVALID_TYPE", "Not a category")
            require(bot_channel_perms(state, new_parent), P.MANAGE_CHANNELS)
            _category_room(ctx, guild, new_parent.id, moving=channel)
        if name is not None:
            channel.name = normalize_text_name(name) if channel.type in (TEXT, NEWS, FORUM) else name
        if "topic" in body:
            channel.topic = body["topic"]
        if "nsfw" in body:
            channel.nsfw = bool(body["nsfw"])
        if "rate_limit_per_user" in body:
            channel.rate_limit_per_user = int(body["rate_limit_per_user"] or 0)
        if body.get("position") is not None:
            channel.position = int(body["position"])
        if moving:
            channel.parent_id = new_parent.id if new_parent is not None else None
            if body.get("lock_permissions") and new_parent is not None:
                channel.overwrite_map = {
                    k: P.Overwrite(v.id, v.type, v.allow, v.deny) for k, v in new_parent.overwrite_map.items()
                }
        if new_overwrites is not None:
            channel.overwrite_map = new_overwrites
    ctx.sb.changes.channel_updated(channel)
    return channel.payload()


async def delete_channel(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    if channel.guild_id is None:
        return channel.payload()  # closing a DM
    perms = bot_channel_perms(state, channel)
    require(perms, P.MANAGE_THREADS if channel.is_thread else P.MANAGE_CHANNELS)
    payload = channel.payload()
    ctx.sb.changes.delete_channel(channel)
    return payload


async def put_overwrite(ctx: Ctx) -> None:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    if channel.guild_id is None or channel.is_thread:
        raise wrong_channel_type()
    guild = state.guild(channel.guild_id)
    body = ctx.json_body() if ctx.body is not None else {}
    oid = ctx.id("overwrite_id")
    otype = body.get("type")
    if otype in ("role", "member"):
        otype = 0 if otype == "role" else 1
    if otype not in (0, 1):
        raise form_error("type", "BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")
    if otype == 0 and oid not in guild.roles:
        raise unknown_role()
    if otype == 1 and oid not in guild.members:
        raise unknown_user()
    ow = P.Overwrite(oid, otype, _bits(body.get("allow"), "allow"), _bits(body.get("deny"), "deny"))
    check_overwrite_grants(state, guild, channel, [ow])
    channel.overwrite_map[oid] = ow
    ctx.sb.changes.channel_updated(channel)


async def delete_overwrite(ctx: Ctx) -> None:
    state = ctx.sb.state
    channel = visible_channel(state, ctx.id("channel_id"))
    if channel.guild_id is None or channel.is_thread:
        raise wrong_channel_type()
    guild = state.guild(channel.guild_id)
    check_overwrite_grants(state, guild, channel, [])
    if channel.overwrite_map.pop(ctx.id("overwrite_id"), None) is None:
        raise unknown_overwrite()
    ctx.sb.changes.channel_updated(channel)


# --- threads ------------------------------------------------------------------------------------
def _new_thread(ctx: Ctx, parent: Channel, body: JSON, ttype: int, thread_id: int | None = None) -> Channel:
    state = ctx.sb.state
    name = _required_name(body)
    duration = body.get("auto_archive_duration") or 4320
    if duration not in ARCHIVE_DURATIONS:
        raise form_error("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
    if parent.type not in (TEXT, NEWS) or (parent.type == NEWS and ttype == PRIVATE_THREAD):
        raise wrong_channel_type()
    perms = bot_channel_perms(state, parent)
    require(perms, P.CREATE_PRIVATE_THREADS if ttype == PRIVATE_THREAD else P.CREATE_PUBLIC_THREADS)
    thread = Channel(
        thread_id or new_snowflake(),
        ttype,
        name,
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=state.bot_user_id,
        members=[state.bot_user_id],
        auto_archive_duration=duration,
        invitable=bool(body.get("invitable", True)),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
    )
    state.add_channel(thread)
    ctx.sb.changes.channel_created(thread)
    return thread


async def create_thread(ctx: Ctx) -> JSON:
    parent = visible_channel(ctx.sb.state, ctx.id("channel_id"))
    if parent.guild_id is None:
        raise wrong_channel_type()
    body = ctx.json_body()
    ttype = body.get("type", PRIVATE_THREAD) or PRIVATE_THREAD
    if ttype not in (PUBLIC_THREAD, PRIVATE_THREAD, 10):
        raise form_error("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
    thread = _new_thread(ctx, parent, body, ttype)
    data = thread.payload()
    data["member"] = thread.thread_member_payload(ctx.sb.state.bot_user_id)
    return data


async def create_thread_from_message(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    parent = visible_channel(state, ctx.id("channel_id"))
    msg = state.message(parent.id, ctx.id("message_id"))
    if msg.id in state.channels:
        raise SandboxError(160004, "A thread has already been created for this message", 400)
    thread = _new_thread(ctx, parent, ctx.json_body(), PUBLIC_THREAD, thread_id=msg.id)
    return thread.payload()


def _thread(ctx: Ctx) -> tuple[Channel, Guild]:
    state = ctx.sb.state
    thread = visible_channel(state, ctx.id("channel_id"))
    if thread.type not in THREAD_TYPES:
        raise wrong_channel_type()
    return thread, state.guild(thread.guild_id or 0)


async def add_thread_member(ctx: Ctx) -> None:
    state = ctx.sb.state
    thread, guild = _thread(ctx)
    raw = ctx.params["user_id"]
    uid = state.bot_user_id if raw == "@me" else ctx.id("user_id")
    if thread.archived:
        raise thread_archived()
    if uid not in guild.members:
        raise unknown_member()
    perms = bot_channel_perms(state, thread)
    if uid != state.bot_user_id:
        require(perms, P.SEND_MESSAGES_IN_THREADS)
        if (
            thread.type == PRIVATE_THREAD
            and not thread.invitable
            and not perms & P.MANAGE_THREADS
            and thread.owner_id != state.bot_user_id
        ):
            raise missing_permissions()
    elif thread.type == PRIVATE_THREAD and state.bot_user_id not in thread.members:
        raise missing_access()
    if uid not in thread.members:
        thread.members.append(uid)
        ctx.sb.changes.thread_members_changed(thread, [uid], [])


async def remove_thread_member(ctx: Ctx) -> None:
    state = ctx.sb.state
    thread, _guild = _thread(ctx)
    raw = ctx.params["user_id"]
    uid = state.bot_user_id if raw == "@me" else ctx.id("user_id")
    if thread.archived:
        raise thread_archived()
    if uid != state.bot_user_id:
        perms = bot_channel_perms(state, thread)
        if not perms & P.MANAGE_THREADS and not (
            thread.type == PRIVATE_THREAD and thread.owner_id == state.bot_user_id
        ):
            raise missing_permissions()
    if uid in thread.members:
        thread.members.remove(uid)
        ctx.sb.changes.thread_members_changed(thread, [], [uid])


async def get_thread_member(ctx: Ctx) -> JSON:
    thread, guild = _thread(ctx)
    uid = ctx.id("user_id")
    if uid not in thread.members:
        raise unknown_member()
    data = thread.thread_member_payload(uid)
    if ctx.query.get("with_member", "").lower() in ("1", "true") and uid in guild.members:
        data["member"] = guild.members[uid].payload()
    return data


async def list_thread_members(ctx: Ctx) -> list[JSON]:
    thread, guild = _thread(ctx)
    with_member = ctx.query.get("with_member", "").lower() in ("1", "true")
    out = []
    for uid in thread.members:
        data = thread.thread_member_payload(uid)
        if with_member and uid in guild.members:
            data["member"] = guild.members[uid].payload()
        out.append(data)
    return out


async def active_threads(ctx: Ctx) -> JSON:
    state = ctx.sb.state
    guild = state.guild(ctx.id("guild_id"))
    threads = [t for t in guild.threads() if not t.archived and bot_channel_perms(state, t) & P.VIEW_CHANNEL]
    members = [t.thread_member_payload(state.bot_user_id) for t in threads if state.bot_user_id in t.members]
    return {"threads": [t.payload() for t in threads], "members": members}


def register(router: Router) -> None:
    router.add("GET", "/guilds/{guild_id}/channels", list_channels)
    router.add("POST", "/guilds/{guild_id}/channels", create_channel)
    router.add("GET", "/guilds/{guild_id}/threads/active", active_threads)
    router.add("GET", "/channels/{channel_id}", get_channel)
    router.add("PATCH", "/channels/{channel_id}", edit_channel)
    router.add("DELETE", "/channels/{channel_id}", delete_channel)
    router.add("PUT", "/channels/{channel_id}/permissions/{overwrite_id}", put_overwrite)
    router.add("DELETE", "/channels/{channel_id}/permissions/{overwrite_id}", delete_overwrite)
    router.add("POST", "/channels/{channel_id}/threads", create_thread)
    router.add("POST", "/channels/{channel_id}/messages/{message_id}/threads", create_thread_from_message)
    router.add("GET", "/channels/{channel_id}/thread-members", list_thread_members)
    router.add("PUT", "/channels/{channel_id}/thread-members/{user_id}", add_thread_member)
    router.add("DELETE", "/channels/{channel_id}/thread-members/{user_id}", remove_thread_member)
    router.add("GET", "/channels/{channel_id}/thread-members/{user_id}", get_thread_member)
