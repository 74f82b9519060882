"""Interactions: building the payloads Discord sends, validating options against the synced
commands like Discord's client does, and tracking how the bot answers.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import SandboxError
from .state import EPHEMERAL, LOADING, Channel, Command, Guild, Member, Message, Role, State, User

JSON = dict[str, Any]

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def _client_error(message: str) -> SandboxError:
    """Something Discord's client would not let a user do (status 0: never sent to the bot)."""
    return SandboxError(0, message, 0)


@dataclass(eq=False)
class InteractionResult:
    """One interaction sent to the bot and everything it answered.

    ``content``/``embeds``/``components``/``ephemeral`` describe the main response message: the
    original response (after edits; a deferral is filled by the first follow-up, as on Discord),
    or for component interactions the message that was updated.
    """

    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    application_id: int
    source_message: Message | None = None
    created: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    acknowledged_at: float | None = None  # on the sandbox's clock, like ``created``
    deferred_ephemeral: bool = False
    original: Message | None = None
    original_touched: bool = False
    followups: list[Message] = field(default_factory=list)
    modal: JSON | None = None
    choices: list[JSON] | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None

    @property
    def messages(self) -> list[Message]:
        out: list[Message] = []
        if self.original is not None and self.original_touched and not self.original.deleted:
            out.append(self.original)
        out.extend(m for m in self.followups if m not in out and not m.deleted)
        return out

    @property
    def message(self) -> Message | None:
        msgs = self.messages
        return msgs[0] if msgs else None

    @property
    def content(self) -> str | None:
        msg = self.message
        return msg.content if msg is not None else None

    @property
    def embeds(self) -> list[JSON]:
        msg = self.message
        return msg.embeds if msg is not None else []

    @property
    def components(self) -> list[JSON]:
        msg = self.message
        return msg.components if msg is not None else []

    @property
    def ephemeral(self) -> bool:
        msg = self.message
        if msg is not None:
            return msg.ephemeral
        return self.deferred_ephemeral

    def check_done(self) -> None:
        rt = self.response_type
        filled = self.original is not None and not self.original.flags & LOADING
        if (
            rt in (1, 4, 7, 8, 9)
            or (rt == 5 and filled)
            or (rt == 6 and (self.original_touched or bool(self.followups)))
        ):
            self.done.set()

    async def wait_done(self, timeout: float = 10) -> InteractionResult:
        """Wait until the interaction is finally answered (message, modal, or deferral filled)."""
        try:
            async with asyncio.timeout(timeout):
                await self.done.wait()
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.id} not answered within {timeout}s (response type {self.response_type})"
            ) from None
        return self


# --- command lookup and options -----------------------------------------------------------------
def find_command(state: State, guild: Guild, name: str, ctype: int = 1) -> Command:
    for cmd in list(guild.commands.values()) + list(state.global_commands.values()):
        if cmd.name == name and cmd.type == ctype:
            return cmd
    raise _client_error(f"no command {name!r} is synced for guild {guild.name!r} or globally")


def _ids(value: object) -> int:
    if isinstance(value, (Member, User, Role, Channel)):
        return value.id
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise _client_error(f"cannot use {value!r} as an id")


class OptionBuilder:
    """Turns Python keyword values into Discord's option list and ``resolved`` data."""

    def __init__(self, state: State, guild: Guild, invoker: Member) -> None:
        self.state = state
        self.guild = guild
        self.invoker = invoker
        self.resolved: dict[str, dict[str, JSON]] = {}

    def _resolve_user(self, uid: int) -> None:
        user = self.state.user(uid)
        self.resolved.setdefault("users", {})[str(uid)] = user.payload()
        member = self.guild.members.get(uid)
        if member is not None:
            perms = self.state.base_permissions(self.guild, member)
            self.resolved.setdefault("members", {})[str(uid)] = member.payload(with_user=False, permissions=perms)

    def _resolve_role(self, rid: int) -> None:
        role = self.guild.roles.get(rid)
        if role is None:
            raise _client_error(f"unknown role {rid}")
        self.resolved.setdefault("roles", {})[str(rid)] = role.payload()

    def _resolve_channel(self, cid: int, opt: JSON) -> None:
        channel = self.state.channel(cid)
        if channel.guild_id != self.guild.id:
            raise _client_error("channel option must be a channel of this guild")
        types = opt.get("channel_types")
        if types and channel.type not in types:
            raise _client_error(f"option {opt['name']!r} accepts channel types {types}")
        data = channel.payload()
        data["permissions"] = str(self.state.permissions_in(self.invoker, channel))
        self.resolved.setdefault("channels", {})[str(cid)] = data

    def convert(self, opt: JSON, value: object, *, focused: bool = False) -> JSON:
        name, otype = opt["name"], opt["type"]
        if focused:
            return {"name": name, "type": otype, "value": str(value), "focused": True}
        out: JSON = {"name": name, "type": otype}
        if otype == STRING:
            if not isinstance(value, str):
                raise _client_error(f"option {name!r} needs a string")
            if len(value) < opt.get("min_length", 0) or len(value) > opt.get("max_length", 6000):
                raise _client_error(
                    f"option {name!r} length outside {opt.get('min_length', 0)}..{opt.get('max_length', 6000)}"
                )
            out["value"] = value
        elif otype in (INTEGER, NUMBER):
            ok = isinstance(value, int) or (otype == NUMBER and isinstance(value, float))
            if isinstance(value, bool) or not ok:
                raise _client_error(f"option {name!r} needs a number")
            if not isinstance(value, (int, float)):
                raise _client_error(f"option {name!r} needs a number")
            if "min_value" in opt and value < opt["min_value"]:
                raise _client_error(f"option {name!r} below {opt['min_value']}")
            if "max_value" in opt and value > opt["max_value"]:
                raise _client_error(f"option {name!r} above {opt['max_value']}")
            out["value"] = value
        elif otype == BOOLEAN:
            if not isinstance(value, bool):
                raise _client_error(f"option {name!r} needs a bool")
            out["value"] = value
        elif otype == USER:
            uid = _ids(value)
            self._resolve_user(uid)
            out["value"] = str(uid)
        elif otype == CHANNEL:
            cid = _ids(value)
            self._resolve_channel(cid, opt)
            out["value"] = str(cid)
        elif otype == ROLE:
            rid = _ids(value)
            self._resolve_role(rid)
            out["value"] = str(rid)
        elif otype == MENTIONABLE:
            mid = _ids(value)
            if mid in self.guild.roles:
                self._resolve_role(mid)
            else:
                self._resolve_user(mid)
            out["value"] = str(mid)
        else:
            raise _client_error(f"option type {otype} is not supported by the sandbox")
        choices = opt.get("choices")
        if choices and out["value"] not in [c["value"] for c in choices]:
            raise _client_error(f"option {name!r}: {value!r} is not one of the choices")
        return out

    def build(self, defs: list[JSON], values: dict[str, object], *, focused: str | None) -> list[JSON]:
        by_name = {o["name"]: o for o in defs}
        unknown = set(values) - set(by_name)
        if unknown:
            raise _client_error(f"unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}")
        out: list[JSON] = []
        for opt in defs:
            name = opt["name"]
            if name not in values:
                if opt.get("required") and focused is None:
                    raise _client_error(f"required option {name!r} missing")
                continue
            out.append(self.convert(opt, values[name], focused=name == focused))
        if focused is not None and not any(o.get("focused") for o in out):
            raise _client_error(f"focused option {focused!r} needs a value")
        if focused is not None and not by_name[focused].get("autocomplete"):
            raise _client_error(f"option {focused!r} has no autocomplete")
        return out


def command_data(
    state: State,
    guild: Guild,
    invoker: Member,
    path: str,
    values: dict[str, object],
    *,
    focused: str | None = None,
) -> tuple[Command, JSON]:
    """``data`` of an APPLICATION_COMMAND / AUTOCOMPLETE interaction for ``path`` ("peer join")."""
    names = path.split()
    if not names:
        raise _client_error("empty command name")
    cmd = find_command(state, guild, names[0])
    builder = OptionBuilder(state, guild, invoker)
    defs = cmd.options
    chain: list[JSON] = []
    for sub in names[1:]:
        match = next((o for o in defs if o["name"] == sub and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if match is None:
            raise _client_error(f"{path!r}: no subcommand {sub!r}")
        chain.append(match)
        defs = match.get("options", [])
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in defs):
        raise _client_error(f"{path!r} needs a subcommand")
    options = builder.build(defs, values, focused=focused)
    for node in reversed(chain):
        options = [{"name": node["name"], "type": node["type"], "options": options}]
    data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": cmd.type}
    if options:
        data["options"] = options
    if builder.resolved:
        data["resolved"] = builder.resolved
    if cmd.guild_id is not None:
        data["guild_id"] = str(cmd.guild_id)
    return cmd, data


# --- modals and components ----------------------------------------------------------------------
def _text_input_value(comp: JSON, values: dict[str, Any]) -> JSON:
    cid = comp["custom_id"]
    value = values.get(cid, comp.get("value") or "")
    if comp["type"] == 4:
        if not isinstance(value, str):
            raise _client_error(f"text input {cid!r} needs a string")
        required = comp.get("required", True)
        if required and not value:
            raise _client_error(f"text input {cid!r} is required")
        if value and not comp.get("min_length", 0) <= len(value) <= comp.get("max_length", 4000):
            raise _client_error(
                f"text input {cid!r} length outside {comp.get('min_length', 0)}..{comp.get('max_length', 4000)}"
            )
        out: JSON = {"type": 4, "custom_id": cid, "value": value}
    else:
        chosen = value if isinstance(value, list) else [value] if value else []
        out = {"type": comp["type"], "custom_id": cid, "values": [str(v) for v in chosen]}
    if "id" in comp:
        out["id"] = comp["id"]
    return out


def modal_submit_components(modal: JSON, values: dict[str, Any]) -> list[JSON]:
    """Modal submit ``components`` in the shape discord.py's ``Modal._refresh`` reads."""
    known: set[str] = set()
    out: list[JSON] = []
    for top in modal.get("components", []):
        if top["type"] == 1:
            inner = [_text_input_value(c, values) for c in top.get("components", []) if "custom_id" in c]
            known.update(c["custom_id"] for c in inner)
            row: JSON = {"type": 1, "components": inner}
            if "id" in top:
                row["id"] = top["id"]
            out.append(row)
        elif top["type"] == 18:
            comp = top["component"]
            if "custom_id" in comp:
                known.add(comp["custom_id"])
                label: JSON = {"type": 18, "component": _text_input_value(comp, values)}
                if "id" in top:
                    label["id"] = top["id"]
                out.append(label)
        elif top["type"] == 10 and "id" in top:
            out.append({"type": 10, "id": top["id"]})
    unknown = set(values) - known
    if unknown:
        raise _client_error(f"modal has no inputs {sorted(unknown)}; it has {sorted(known)}")
    return out


def find_component(components: list[JSON], custom_id: str) -> JSON | None:
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        for key in ("components",):
            found = find_component(comp.get(key, []), custom_id)
            if found is not None:
                return found
        if "accessory" in comp:
            found = find_component([comp["accessory"]], custom_id)
            if found is not None:
                return found
        if "component" in comp:
            found = find_component([comp["component"]], custom_id)
            if found is not None:
                return found
    return None


# --- payload ------------------------------------------------------------------------------------
def interaction_payload(
    state: State,
    *,
    result: InteractionResult,
    data: JSON,
    guild: Guild | None,
    channel: Channel,
    user: User,
    message: JSON | None = None,
) -> JSON:
    """The INTERACTION_CREATE payload, with every field discord.py 2.7.1 reads."""
    payload: JSON = {
        "id": str(result.id),
        "application_id": str(result.application_id),
        "type": result.type,
        "data": data,
        "channel_id": str(channel.id),
        "token": result.token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    channel_data = channel.payload([user] if guild is None else None)
    if guild is not None:
        member = guild.member(user.id)
        perms = state.permissions_in(member, channel)
        bot_member = guild.members[state.bot_user_id]
        channel_data["permissions"] = str(perms)
        payload.update(
            {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                "guild_locale": guild.preferred_locale,
                "member": member.payload(permissions=perms),
                "app_permissions": str(state.permissions_in(bot_member, channel)),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        )
    else:
        payload.update(
            {
                "user": user.payload(),
                "app_permissions": "0",
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    payload["channel"] = channel_data
    if message is not None:
        payload["message"] = message
    return payload


def message_flags(body: JSON) -> int:
    flags = int(body.get("flags") or 0)
    return flags & (EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15))
