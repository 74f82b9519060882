"""The ``Sandbox`` class: the server's lifecycle and the test-helper API (see the package docstring)."""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web

from . import permissions as P
from . import rest_channels, rest_core, rest_interactions, rest_messages
from .changes import Changes
from .errors import SandboxError, missing_access
from .gateway import GUILDS, Gateway, ResumeRecord, Session
from .interaction_helpers import InteractionHelpers
from .interactions import (
    InteractionResult,
)
from .messages import new_message, validate_body
from .ratelimits import Faults, RateLimits, Stats
from .server import RecordedRequest, Router, build_app
from .snowflake import new_snowflake
from .state import (
    CATEGORY,
    DM,
    NEWS,
    TEXT,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    State,
    User,
)
from .timing import Latency

JSON = dict[str, Any]
UserLike = User | Member | int


@dataclass
class Limits:
    """Discord's limits, adjustable per sandbox so tests can use small numbers."""

    max_guild_channels: int = 500
    max_category_channels: int = 50
    interaction_response_seconds: float = 3.0
    nonce_seconds: float = 300.0  # enforce_nonce: "checked for uniqueness in the past few minutes"


def _user_id(user: UserLike) -> int:
    return user if isinstance(user, int) else user.id


def _channel_id(channel: Channel | int) -> int:
    return channel if isinstance(channel, int) else channel.id


class Sandbox(InteractionHelpers):
    """A local Discord: REST API v10 and gateway on 127.0.0.1, plus helpers for tests."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Tandem",
        latency: Latency | None = None,
        message_bucket: tuple[int, float] | None = (5, 5.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``latency``: delay on REST calls (none by default; ``Latency.realistic()`` for 20-50 ms).
        ``message_bucket``: Discord's per-channel bucket for bot messages, (limit, window seconds), or
        ``None`` for none. ``clock``: monotonic seconds for the 3-second first response, the 15-minute
        token, nonces and rate-limit windows (tests inject a fake one)."""
        self.host = host
        self.port = port
        self.clock = clock
        self.latency = latency if latency is not None else Latency()
        self.state = State()
        self.limits = Limits()
        self.ratelimits = RateLimits(clock)
        if message_bucket is not None:
            self.ratelimits.set_channel_messages(*message_bucket)
        self.faults = Faults()
        self.stats = Stats()
        self.requests: list[RecordedRequest] = []
        self.interactions: dict[int, InteractionResult] = {}
        self.interactions_by_token: dict[str, InteractionResult] = {}
        self.application_flags = (1 << 15) | (1 << 19)
        self.bot_user = self.state.new_user(bot_name, bot=True)
        self.state.bot_user_id = self.bot_user.id
        self.application_id = self.bot_user.id
        self.app_owner = self.state.new_user("app-owner")
        raw_id = base64.b64encode(str(self.bot_user.id).encode()).decode().rstrip("=")
        self.bot_token = f"{raw_id}.{secrets.token_urlsafe(5)}.{secrets.token_urlsafe(27)}"
        self.gateway = Gateway(
            token=self.bot_token,
            url=lambda: self.gateway_url,
            ready_payload=self._ready_payload,
            guild_payloads=self._guild_payloads,
        )
        self.changes = Changes(self.state, self.gateway)
        self._router = Router()
        for module in (rest_core, rest_channels, rest_messages, rest_interactions):
            module.register(self._router)
        self._runner: web.AppRunner | None = None
        self._request_event = asyncio.Event()
        self._synced: set[int | None] = set()
        self._sync_event = asyncio.Event()

    # --- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> Self:
        app = build_app(self, self._router)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    # --- gateway payloads ------------------------------------------------------------------------
    def _ready_payload(self, session: Session) -> JSON:
        user = self.bot_user.payload()
        user.update({"verified": True, "mfa_enabled": False, "email": None})
        return {
            "v": 10,
            "user": user,
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.state.guilds.values()],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["sandbox"],
            "auth": {},
            "_trace": ["sandbox"],
        }

    def guild_create_payload(self, guild: Guild, intents: int) -> JSON:
        from .gateway import GUILD_MEMBERS

        data = guild.payload()
        members = list(guild.members.values()) if intents & GUILD_MEMBERS else [guild.members[self.bot_user.id]]
        data.update(
            {
                "joined_at": guild.joined_at,
                "large": len(guild.members) > 250,
                "unavailable": False,
                "member_count": len(guild.members),
                "voice_states": [],
                "members": [m.payload() for m in members],
                "channels": [c.payload() for c in guild.guild_channels()],
                "threads": [
                    t.payload()
                    for t in guild.threads()
                    if not t.archived and self.state.permissions_in(guild.members[self.bot_user.id], t) & P.VIEW_CHANNEL
                ],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "embedded_activities": [],
                "activity_instances": [],
                "lazy": True,
                "application_command_counts": {},
                "hub_type": None,
            }
        )
        return data

    def _guild_payloads(self, session: Session) -> list[JSON]:
        return [self.guild_create_payload(g, session.intents) for g in self.state.guilds.values()]

    # --- recording -------------------------------------------------------------------------------
    def record(self, req: RecordedRequest) -> None:
        self.requests.append(req)
        self._request_event.set()

    def _helper(self, method: str, path: str, body: Any = None, response: Any = None) -> None:
        self.record(RecordedRequest(method, path, {}, body, 200, response, time.time(), "helper"))

    def find_requests(
        self,
        method: str | None = None,
        pattern: str | None = None,
        *,
        actor: str | None = "bot",
        status: int | None = None,
    ) -> list[RecordedRequest]:
        """Recorded requests whose method equals ``method`` and path fully matches ``pattern``.

        By default only the bot's own requests; ``actor="helper"`` or ``None`` for helper actions/all.
        """
        rx = re.compile(pattern) if pattern is not None else None
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (rx is None or rx.fullmatch(r.path))
            and (actor is None or r.actor == actor)
            and (status is None or r.status == status)
        ]

    async def wait_for_request(
        self,
        method: str | None,
        pattern: str | None,
        *,
        count: int = 1,
        timeout: float = 5,
        status: int | None = None,
    ) -> list[RecordedRequest]:
        async with asyncio.timeout(timeout):
            while True:
                found = self.find_requests(method, pattern, status=status)
                if len(found) >= count:
                    return found
                self._request_event.clear()
                await self._request_event.wait()

    # --- readiness -------------------------------------------------------------------------------
    async def wait_until_ready(self, timeout: float = 10) -> None:
        """Until the bot identified and every GUILD_CREATE was written to its socket."""
        async with asyncio.timeout(timeout):
            await self.gateway.ready.wait()

    def commands_synced(self, guild_id: int | None) -> None:
        self._synced.add(guild_id)
        self._sync_event.set()

    async def wait_for_commands(
        self,
        guild: Guild | None = None,
        timeout: float = 10,
    ) -> None:
        """Until the bot synced commands for ``guild`` or globally (any sync when ``guild`` is None)."""
        async with asyncio.timeout(timeout):
            while True:
                if (
                    (guild is None and self._synced)
                    or None in self._synced
                    or (guild is not None and guild.id in self._synced)
                ):
                    return
                self._sync_event.clear()
                await self._sync_event.wait()

    async def drop_bot_connection(self) -> None:
        """Close the bot's socket with a resumable code; discord.py reconnects and RESUMEs."""
        self._helper("DROP", "/gateway")
        await self.gateway.drop()

    async def wait_for_resume(self, timeout: float = 10) -> ResumeRecord:
        """Until the bot resumed; the record lists the replayed dispatches (``replayed``)."""
        async with asyncio.timeout(timeout):
            await self.gateway.resumed.wait()
        return self.gateway.resumes[-1]

    @property
    def bot_connected(self) -> bool:
        return self.gateway.connected

    # --- world building ---------------------------------------------------------------------------
    def add_guild(self, name: str, *, owner_name: str = "owner") -> Guild:
        state = self.state
        gid = new_snowflake()
        owner = state.new_user(owner_name)
        guild = Guild(gid, name, owner.id)
        state.guilds[gid] = guild
        guild.roles[gid] = Role(gid, gid, "@everyone", P.DEFAULT_EVERYONE, position=0)
        bot_role = Role(
            new_snowflake(),
            gid,
            self.bot_user.username,
            P.DEFAULT_BOT,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.bot_role_id = bot_role.id
        guild.members[owner.id] = Member(owner, gid)
        guild.members[self.bot_user.id] = Member(self.bot_user, gid, [bot_role.id])
        general = state.add_channel(Channel(new_snowflake(), TEXT, "general", guild_id=gid))
        guild.system_channel_id = general.id
        self._helper("POST", "/guilds", {"name": name}, {"id": str(gid)})
        for session in self.gateway.sessions.values():
            if session.valid and session.intents & GUILDS:
                self.gateway._send_dispatch(session, "GUILD_CREATE", self.guild_create_payload(guild, session.intents))
        return guild

    def add_role(
        self, guild: Guild, name: str, permissions: int = 0, *, mentionable: bool = False, hoist: bool = False
    ) -> Role:
        """A new role just above @everyone (older roles, the bot's included, move up)."""
        for role in guild.roles.values():
            if role.position >= 1:
                role.position += 1
        role = Role(new_snowflake(), guild.id, name, permissions, position=1, mentionable=mentionable, hoist=hoist)
        guild.roles[role.id] = role
        self._helper("POST", f"/guilds/{guild.id}/roles", {"name": name, "permissions": permissions})
        self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, intent=GUILDS)
        return role

    def add_member(
        self,
        guild: Guild,
        name: str,
        *,
        roles: Iterable[Role] = (),
        dms_open: bool = True,
        bot: bool = False,
        user: User | None = None,
    ) -> Member:
        """Add a member (a new user unless ``user`` is given). When the bot is connected this
        dispatches GUILD_MEMBER_ADD at once (use ``add_member_live`` to also wait for delivery)."""
        if user is None:
            user = self.state.new_user(name, bot=bot, dms_open=dms_open)
        member = Member(user, guild.id, [r.id for r in roles])
        guild.members[user.id] = member
        self._helper("PUT", f"/guilds/{guild.id}/members/{user.id}", {"name": name})
        self.changes.member_added(guild, member)
        return member

    async def add_member_live(self, guild: Guild, name: str, **kwargs: Any) -> Member:
        member = self.add_member(guild, name, **kwargs)
        await self.gateway.flush()
        return member

    async def remove_member(self, guild: Guild, member: Member | int) -> None:
        """The member leaves: GUILD_MEMBER_REMOVE (buffered for RESUME if the bot is offline)."""
        target = guild.member(_user_id(member))
        self._helper("DELETE", f"/guilds/{guild.id}/members/{target.id}")
        self.changes.member_removed(guild, target)
        await self.gateway.flush()

    async def set_member_roles(self, guild: Guild, member: Member, roles: Iterable[Role]) -> None:
        member.role_ids = [r.id for r in roles]
        self._helper("PATCH", f"/guilds/{guild.id}/members/{member.id}", {"roles": member.role_ids})
        self.changes.member_updated(guild, member)
        await self.gateway.flush()

    def set_bot_permissions(self, guild: Guild, permissions: int) -> None:
        self._set_role_permissions(guild, guild.bot_role, permissions)

    def set_everyone_permissions(self, guild: Guild, permissions: int) -> None:
        self._set_role_permissions(guild, guild.everyone_role, permissions)

    def set_role_permissions(self, guild: Guild, role: Role, permissions: int) -> None:
        self._set_role_permissions(guild, role, permissions)

    def _set_role_permissions(self, guild: Guild, role: Role, permissions: int) -> None:
        role.permissions = permissions
        self._helper("PATCH", f"/guilds/{guild.id}/roles/{role.id}", {"permissions": permissions})
        self.changes.role_updated(guild, role.id)

    def _overwrites(self, overwrites: Iterable[JSON] | None) -> dict[int, P.Overwrite]:
        out: dict[int, P.Overwrite] = {}
        for ow in overwrites or []:
            oid = int(ow["id"])
            out[oid] = P.Overwrite(oid, int(ow.get("type", 0)), int(ow.get("allow", 0)), int(ow.get("deny", 0)))
        return out

    def _add_channel(
        self, guild: Guild, name: str, ctype: int, parent: Channel | None, overwrites: Iterable[JSON] | None
    ) -> Channel:
        channel = Channel(
            new_snowflake(),
            ctype,
            name,
            guild_id=guild.id,
            parent_id=parent.id if parent else None,
            position=len(guild.guild_channels()),
            overwrite_map=self._overwrites(overwrites),
        )
        self.state.add_channel(channel)
        self._helper("POST", f"/guilds/{guild.id}/channels", {"name": name, "type": ctype}, {"id": str(channel.id)})
        self.changes.channel_created(channel)
        return channel

    def add_category(self, guild: Guild, name: str, *, overwrites: Iterable[JSON] | None = None) -> Channel:
        """``overwrites``: dicts ``{"id", "type" (0 role, 1 member), "allow", "deny"}`` with int bits."""
        return self._add_channel(guild, name, CATEGORY, None, overwrites)

    def add_text_channel(
        self,
        guild: Guild,
        name: str,
        *,
        parent: Channel | None = None,
        overwrites: Iterable[JSON] | None = None,
    ) -> Channel:
        return self._add_channel(guild, name, TEXT, parent, overwrites)

    def add_announcement_channel(self, guild: Guild, name: str) -> Channel:
        """An announcement (news, type 5) channel: no private threads there (50024)."""
        return self._add_channel(guild, name, NEWS, None, None)

    async def delete_channel(self, channel: Channel | int) -> None:
        """A human admin deletes the channel: CHANNEL_DELETE (THREAD_DELETE for a thread)."""
        target = self.channel(_channel_id(channel))
        self._helper("DELETE", f"/channels/{target.id}")
        self.changes.delete_channel(target)
        await self.gateway.flush()

    async def send_as(self, member: Member | User, channel: Channel | int, content: str) -> Message:
        """A human posts in a channel (or DM channel): checks their permissions, dispatches MESSAGE_CREATE."""
        ch = self.channel(_channel_id(channel))
        user = member.user if isinstance(member, Member) else member
        perms = P.ALL
        if ch.guild_id is not None:
            guild = self.state.guild(ch.guild_id)
            perms = self.state.permissions_in(guild.member(user.id), ch)
            needed = P.SEND_MESSAGES_IN_THREADS if ch.is_thread else P.SEND_MESSAGES
            if not perms & P.VIEW_CHANNEL:
                raise missing_access()
            if not perms & needed:
                raise SandboxError(50013, "Missing Permissions", 403)
        body = {"content": content}
        validate_body(body, require_content=True)
        msg = new_message(self.state, body, author=user, channel=ch, author_perms=perms)
        self._helper("POST", f"/channels/{ch.id}/messages", body, {"id": str(msg.id)})
        self.changes.message_created(msg)
        await self.gateway.flush()
        return msg

    # --- inspection ------------------------------------------------------------------------------
    def channel(self, channel_id: Channel | int) -> Channel:
        return self.state.channel(_channel_id(channel_id))

    def messages_in(self, channel_id: Channel | int, *, include_ephemeral: bool = False) -> list[Message]:
        """Messages in a channel, oldest first (ephemeral ones only when asked: nobody else sees them)."""
        cid = _channel_id(channel_id)
        return [
            m
            for m in self.state.channel_messages.get(cid, [])
            if not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    def dm_channel_for(self, user: UserLike) -> Channel | None:
        return self.state.dm_channels.get(_user_id(user))

    @staticmethod
    def attachment_bytes(attachment: JSON | int | str) -> bytes:
        """The bytes of an attachment the bot uploaded, by its payload dict or id."""
        from .rest_messages import attachment_bytes

        return attachment_bytes(attachment["id"] if isinstance(attachment, dict) else attachment)

    def dms_for(self, user: UserLike) -> list[Message]:
        """Messages in the DM channel between the bot and ``user``."""
        channel = self.dm_channel_for(user)
        return self.messages_in(channel.id) if channel is not None else []

    def can_view(self, member: Member, channel_id: Channel | int) -> bool:
        channel = self.channel(_channel_id(channel_id))
        if channel.type == DM:
            return channel.recipient_id == member.id
        return bool(self.state.permissions_in(member, channel) & P.VIEW_CHANNEL)

    def permissions_of(self, member: Member, channel_id: Channel | int) -> int:
        return self.state.permissions_in(member, self.channel(_channel_id(channel_id)))

    def read_messages_as(self, member: Member, channel_id: Channel | int) -> list[Message]:
        """What ``member`` could read; SandboxError(code=50001) when they cannot view the channel."""
        channel = self.channel(_channel_id(channel_id))
        if not self.can_view(member, channel.id):
            raise missing_access()
        if channel.guild_id is not None and not self.permissions_of(member, channel) & P.READ_MESSAGE_HISTORY:
            raise SandboxError(50013, "Missing Permissions", 403)
        return [
            m
            for m in self.messages_in(channel.id, include_ephemeral=True)
            if not m.ephemeral or m.interaction_user_id == member.id
        ]

    def member(self, guild: Guild, user: UserLike) -> Member:
        return guild.member(_user_id(user))
