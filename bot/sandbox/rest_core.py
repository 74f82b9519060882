"""REST: users, the application, gateway discovery, guilds, roles and members."""

from __future__ import annotations

from typing import Any

from . import permissions as P
from .access import bot_guild_perms, bot_member, require
from .errors import SandboxError, missing_permissions, unknown_role
from .gateway import GUILD_MEMBERS
from .server import Ctx, Router
from .snowflake import parse_id
from .state import Guild, Member

JSON = dict[str, Any]


async def get_me(ctx: Ctx) -> JSON:
    data = ctx.sb.bot_user.payload()
    data.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None, "bio": ""})
    return data


async def get_user(ctx: Ctx) -> JSON:
    return ctx.sb.state.user(ctx.id("user_id")).payload()


async def get_application(ctx: Ctx) -> JSON:
    sb = ctx.sb
    return {
        "id": str(sb.application_id),
        "name": sb.bot_user.username,
        "icon": None,
        "description": "Tandem sandbox application",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": sb.app_owner.payload(),
        "team": None,
        "verify_key": "0" * 64,
        "flags": sb.application_flags,
        "rpc_origins": [],
        "tags": [],
        "bot": sb.bot_user.payload(),
        "approximate_guild_count": len(sb.state.guilds),
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "install_params": None,
        "integration_types_config": {"0": {}},
    }


async def get_gateway(ctx: Ctx) -> JSON:
    return {"url": ctx.sb.gateway_url}


async def get_gateway_bot(ctx: Ctx) -> JSON:
    sb = ctx.sb
    return {
        "url": sb.gateway_url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": max(0, 1000 - sb.gateway.identifies),
            "reset_after": 86_400_000,
            "max_concurrency": 1,
        },
    }


def _guild(ctx: Ctx) -> Guild:
    return ctx.sb.state.guild(ctx.id("guild_id"))


async def get_guild(ctx: Ctx) -> JSON:
    guild = _guild(ctx)
    return guild.payload(with_counts=ctx.query.get("with_counts", "").lower() in ("1", "true"))


async def my_guilds(ctx: Ctx) -> list[JSON]:
    out: list[JSON] = []
    for guild in ctx.sb.state.guilds.values():
        perms = bot_guild_perms(ctx.sb.state, guild)
        out.append(
            {
                "id": str(guild.id),
                "name": guild.name,
                "icon": None,
                "banner": None,
                "owner": False,
                "permissions": str(perms),
                "features": [],
            }
        )
    return out


async def get_roles(ctx: Ctx) -> list[JSON]:
    guild = _guild(ctx)
    return [r.payload() for r in sorted(guild.roles.values(), key=lambda r: r.position)]


async def get_member(ctx: Ctx) -> JSON:
    guild = _guild(ctx)
    return guild.member(ctx.id("user_id")).payload()


async def list_members(ctx: Ctx) -> list[JSON]:
    guild = _guild(ctx)
    if not ctx.sb.gateway.allowed_privileged_intents & GUILD_MEMBERS:
        raise SandboxError(50001, "Missing Access", 403)
    try:
        limit = int(ctx.query.get("limit", "1"))
        after = int(ctx.query.get("after", "0"))
    except ValueError:
        raise SandboxError(50035, "Invalid Form Body", 400) from None
    if not 1 <= limit <= 1000:
        from .errors import form_error

        raise form_error("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 1000.")
    members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
    return [m.payload() for m in members[:limit]]


def _top_position(guild: Guild, member: Member) -> int:
    if member.id == guild.owner_id:
        return 1 << 30
    return max([guild.roles[r].position for r in member.role_ids if r in guild.roles] + [0])


def _check_role_change(ctx: Ctx, guild: Guild, role_id: int) -> None:
    state = ctx.sb.state
    if role_id not in guild.roles:
        raise unknown_role()
    perms = bot_guild_perms(state, guild)
    require(perms, P.MANAGE_ROLES)
    if guild.roles[role_id].managed or guild.roles[role_id].position >= _top_position(guild, bot_member(state, guild)):
        raise missing_permissions()


async def add_member_role(ctx: Ctx) -> None:
    guild = _guild(ctx)
    member = guild.member(ctx.id("user_id"))
    role_id = ctx.id("role_id")
    _check_role_change(ctx, guild, role_id)
    if role_id not in member.role_ids:
        member.role_ids.append(role_id)
        ctx.sb.changes.member_updated(guild, member)


async def remove_member_role(ctx: Ctx) -> None:
    guild = _guild(ctx)
    member = guild.member(ctx.id("user_id"))
    role_id = ctx.id("role_id")
    _check_role_change(ctx, guild, role_id)
    if role_id in member.role_ids:
        member.role_ids.remove(role_id)
        ctx.sb.changes.member_updated(guild, member)


async def edit_member(ctx: Ctx) -> JSON:
    guild = _guild(ctx)
    member = guild.member(ctx.id("user_id"))
    body = ctx.json_body()
    perms = bot_guild_perms(ctx.sb.state, guild)
    if "nick" in body:
        require(perms, P.MANAGE_NICKNAMES)
        member.nick = body["nick"] or None
    if "roles" in body and body["roles"] is not None:
        wanted = [r for r in (parse_id(x) for x in body["roles"]) if r is not None]
        for rid in set(wanted) ^ set(member.role_ids):
            _check_role_change(ctx, guild, rid)
        member.role_ids = wanted
    ctx.sb.changes.member_updated(guild, member)
    return member.payload()


def register(router: Router) -> None:
    router.add("GET", "/users/@me", get_me)
    router.add("GET", "/users/@me/guilds", my_guilds)
    router.add("GET", "/users/{user_id}", get_user)
    router.add("GET", "/oauth2/applications/@me", get_application)
    router.add("GET", "/applications/@me", get_application)
    router.add("GET", "/gateway", get_gateway, auth=False)
    router.add("GET", "/gateway/bot", get_gateway_bot)
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("GET", "/guilds/{guild_id}/roles", get_roles)
    router.add("GET", "/guilds/{guild_id}/members", list_members)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
    router.add("PATCH", "/guilds/{guild_id}/members/{user_id}", edit_member)
    router.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_member_role)
    router.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_member_role)
