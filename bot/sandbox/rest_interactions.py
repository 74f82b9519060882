"""REST: application commands, interaction callbacks and interaction webhooks (follow-ups)."""

from __future__ import annotations

from typing import Any

from .command_rules import check_commands
from .errors import (
    SandboxError,
    already_acknowledged,
    form_error,
    unknown_application,
    unknown_interaction,
    unknown_message,
    unknown_webhook,
)
from .form import Form
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MODAL_SUBMIT,
    InteractionResult,
)
from .messages import apply_edit, new_message, validate_body
from .modal_rules import check_autocomplete, check_modal
from .permissions import ALL
from .server import Ctx, Router
from .snowflake import new_snowflake, parse_id
from .state import EPHEMERAL, LOADING, Command, Message, message_payload

JSON = dict[str, Any]
TOKEN_LIFETIME = 15 * 60


# --- commands -----------------------------------------------------------------------------------
def _check_app(ctx: Ctx) -> None:
    if ctx.params["application_id"] != str(ctx.sb.application_id):
        raise unknown_application()


def _store_commands(ctx: Ctx, current: dict[int, Command], guild_id: int | None) -> list[JSON]:
    body = ctx.body
    if not isinstance(body, list):
        raise SandboxError(50109, "The request body contains invalid JSON.", 400)
    if len(body) > 100:
        raise SandboxError(30032, "Maximum number of application commands reached (100)", 400)
    form = Form()
    check_commands(form, body)
    form.raise_if_any()
    by_key = {(c.name, c.type): c for c in current.values()}
    new: dict[int, Command] = {}
    for raw in body:
        ctype = raw.get("type", 1)
        old = by_key.get((raw["name"], ctype))
        dmp = raw.get("default_member_permissions")
        cmd = Command(
            id=old.id if old else new_snowflake(),
            application_id=ctx.sb.application_id,
            name=raw["name"],
            description=raw.get("description", ""),
            type=ctype,
            options=raw.get("options") or [],
            default_member_permissions=None if dmp is None else int(dmp),
            dm_permission=raw.get("dm_permission", True) if raw.get("dm_permission") is not None else True,
            contexts=raw.get("contexts"),
            integration_types=raw.get("integration_types"),
            nsfw=bool(raw.get("nsfw")),
            guild_id=guild_id,
            name_localizations=raw.get("name_localizations"),
            description_localizations=raw.get("description_localizations"),
        )
        new[cmd.id] = cmd
    current.clear()
    current.update(new)
    ctx.sb.commands_synced(guild_id)
    return [c.payload() for c in new.values()]


async def put_global_commands(ctx: Ctx) -> list[JSON]:
    _check_app(ctx)
    return _store_commands(ctx, ctx.sb.state.global_commands, None)


async def get_global_commands(ctx: Ctx) -> list[JSON]:
    _check_app(ctx)
    return [c.payload() for c in ctx.sb.state.global_commands.values()]


async def put_guild_commands(ctx: Ctx) -> list[JSON]:
    _check_app(ctx)
    guild = ctx.sb.state.guild(ctx.id("guild_id"))
    return _store_commands(ctx, guild.commands, guild.id)


async def get_guild_commands(ctx: Ctx) -> list[JSON]:
    _check_app(ctx)
    guild = ctx.sb.state.guild(ctx.id("guild_id"))
    return [c.payload() for c in guild.commands.values()]


# --- callbacks ----------------------------------------------------------------------------------
def _invalid_type() -> SandboxError:
    return form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type")


def _response_message(ctx: Ctx, rec: InteractionResult, data: JSON, *, loading: bool) -> Message:
    state = ctx.sb.state
    channel = state.channel(rec.channel_id)
    msg = new_message(
        state,
        data,
        author=ctx.sb.bot_user,
        channel=channel,
        author_perms=ALL,
        attachments=[],
        msg_type=20 if rec.type == APPLICATION_COMMAND else 0,
    )
    msg.flags = (msg.flags & (EPHEMERAL | (1 << 2) | (1 << 15))) | (LOADING if loading else 0)
    msg.webhook_id = ctx.sb.application_id
    msg.application_id = ctx.sb.application_id
    msg.interaction_id = rec.id
    msg.interaction_user_id = rec.user_id
    return msg


async def interaction_callback(ctx: Ctx) -> JSON | None:
    sb = ctx.sb
    rec = sb.interactions.get(ctx.id("interaction_id"))
    if rec is None or rec.token != ctx.params["token"]:
        raise unknown_interaction()
    if rec.acknowledged:
        raise already_acknowledged()
    if sb.clock() - rec.created > sb.limits.interaction_response_seconds:
        raise unknown_interaction()
    body = ctx.json_body()
    rtype = body.get("type")
    data = body.get("data") or {}
    state = sb.state
    message: Message | None = None
    if rtype == 4:
        if rec.type in (AUTOCOMPLETE,):
            raise _invalid_type()
        validate_body(data, require_content=True, has_files=bool(ctx.files))
        message = _response_message(ctx, rec, data, loading=False)
        message.attachments = []
        rec.original, rec.original_touched = message, True
        sb.changes.message_created(message)
    elif rtype == 5:
        if rec.type == AUTOCOMPLETE:
            raise _invalid_type()
        message = _response_message(ctx, rec, {"flags": data.get("flags", 0)}, loading=True)
        rec.deferred_ephemeral = bool(message.flags & EPHEMERAL)
        rec.original = message
        sb.changes.message_created(message)
    elif rtype in (6, 7):
        if rec.source_message is None:
            raise _invalid_type()
        rec.original = rec.source_message
        if rtype == 7:
            apply_edit(state, rec.source_message, data, ALL)
            rec.original_touched = True
            sb.changes.message_updated(rec.source_message)
            message = rec.source_message
    elif rtype == 8:
        if rec.type != AUTOCOMPLETE:
            raise _invalid_type()
        form = Form()
        check_autocomplete(form, data)
        form.raise_if_any()
        rec.choices = list(data.get("choices") or [])
    elif rtype == 9:
        if rec.type in (AUTOCOMPLETE, MODAL_SUBMIT):
            raise _invalid_type()
        form = Form()
        check_modal(form, data)
        form.raise_if_any()
        rec.modal = {"custom_id": data["custom_id"], "title": data["title"], "components": data["components"]}
    elif rtype == 1:
        raise _invalid_type()
    else:
        raise _invalid_type()
    rec.response_type, rec.acknowledged_at = rtype, sb.clock()
    ctx.after_delivery.append(rec.check_done)  # the bot has the answer before a test acts on it
    if ctx.query.get("with_response", "").lower() not in ("1", "true"):
        return None
    interaction: JSON = {"id": str(rec.id), "type": rec.type}
    resource: JSON = {"type": rtype}
    if message is not None:
        interaction["response_message_id"] = str(message.id)
        interaction["response_message_loading"] = bool(message.flags & LOADING)
        interaction["response_message_ephemeral"] = bool(message.flags & EPHEMERAL)
        resource["message"] = message_payload(state, message)
    return {"interaction": interaction, "resource": resource}


# --- webhooks -----------------------------------------------------------------------------------
def _webhook_interaction(ctx: Ctx) -> InteractionResult:
    sb = ctx.sb
    if ctx.params["webhook_id"] != str(sb.application_id):
        raise unknown_webhook()
    rec = sb.interactions_by_token.get(ctx.params["token"])
    if rec is None or sb.clock() - rec.created > TOKEN_LIFETIME:
        raise SandboxError(50027, "Invalid Webhook Token", 401)
    if not rec.acknowledged:
        raise unknown_webhook()
    return rec


def _target(ctx: Ctx, rec: InteractionResult) -> Message:
    raw = ctx.params["message_id"]
    if raw == "@original":
        if rec.original is None or rec.original.deleted:
            raise unknown_message()
        return rec.original
    mid = parse_id(raw)
    for msg in [rec.original, *rec.followups]:
        if msg is not None and msg.id == mid and not msg.deleted:
            return msg
    raise unknown_message()


async def followup(ctx: Ctx) -> JSON | None:
    sb = ctx.sb
    rec = _webhook_interaction(ctx)
    body = ctx.body if isinstance(ctx.body, dict) else {}
    validate_body(body, require_content=True, has_files=bool(ctx.files))
    from .rest_messages import attachments_from

    original = rec.original
    if rec.response_type == 5 and original is not None and original.flags & LOADING:
        # the first follow-up after a deferral fills the "thinking" message
        apply_edit(sb.state, original, {**body, "flags": None}, ALL)
        original.attachments = attachments_from(ctx.files, original.channel_id)
        original.flags &= ~LOADING
        original.edited_timestamp = None
        rec.original_touched = True
        rec.followups.append(original)
        sb.changes.message_updated(original)
        msg = original
    else:
        msg = _response_message(ctx, rec, body, loading=False)
        msg.attachments = attachments_from(ctx.files, msg.channel_id)
        msg.type = 0
        rec.followups.append(msg)
        sb.changes.message_created(msg)
    ctx.after_delivery.append(rec.check_done)  # the bot has the answer before a test acts on it
    if ctx.query.get("wait", "").lower() not in ("1", "true"):
        return None
    return message_payload(sb.state, msg)


async def get_webhook_message(ctx: Ctx) -> JSON:
    rec = _webhook_interaction(ctx)
    return message_payload(ctx.sb.state, _target(ctx, rec))


async def edit_webhook_message(ctx: Ctx) -> JSON:
    sb = ctx.sb
    rec = _webhook_interaction(ctx)
    msg = _target(ctx, rec)
    body = ctx.body if isinstance(ctx.body, dict) else {}
    was_loading = bool(msg.flags & LOADING)
    apply_edit(sb.state, msg, body, ALL)
    if ctx.files:
        from .rest_messages import attachments_from

        msg.attachments += attachments_from(ctx.files, msg.channel_id)
    msg.flags &= ~LOADING
    if was_loading:
        msg.edited_timestamp = None
    if msg is rec.original:
        rec.original_touched = True
    sb.changes.message_updated(msg)
    ctx.after_delivery.append(rec.check_done)  # the bot has the answer before a test acts on it
    return message_payload(sb.state, msg)


async def delete_webhook_message(ctx: Ctx) -> None:
    rec = _webhook_interaction(ctx)
    msg = _target(ctx, rec)
    ctx.sb.changes.message_deleted(msg)


def register(router: Router) -> None:
    router.add("PUT", "/applications/{application_id}/commands", put_global_commands)
    router.add("GET", "/applications/{application_id}/commands", get_global_commands)
    router.add("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", put_guild_commands)
    router.add("GET", "/applications/{application_id}/guilds/{guild_id}/commands", get_guild_commands)
    router.add("POST", "/interactions/{interaction_id}/{token}/callback", interaction_callback, auth=False)
    router.add("POST", "/webhooks/{webhook_id}/{token}", followup, auth=False)
    router.add("GET", "/webhooks/{webhook_id}/{token}/messages/{message_id}", get_webhook_message, auth=False)
    router.add("PATCH", "/webhooks/{webhook_id}/{token}/messages/{message_id}", edit_webhook_message, auth=False)
    router.add("DELETE", "/webhooks/{webhook_id}/{token}/messages/{message_id}", delete_webhook_message, auth=False)
