"""Test helpers that act as Discord's client: slash commands, autocomplete, modals, components.

Validates what a user could do against the synced commands, then dispatches INTERACTION_CREATE.
Mixed into ``Sandbox``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from . import permissions as P
from .errors import SandboxError, missing_access, unknown_channel
from .gateway import Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionResult,
    command_data,
    find_command,
    find_component,
    interaction_payload,
    modal_submit_components,
)
from .snowflake import new_snowflake
from .state import Channel, Guild, Member, Message, State, User, message_payload

JSON = dict[str, Any]
UserLike = User | Member | int


def _user_id(user: UserLike) -> int:
    return user if isinstance(user, int) else user.id


def _channel_id(channel: Channel | int) -> int:
    return channel if isinstance(channel, int) else channel.id


class InteractionHelpers:
    """``invoke``, ``autocomplete``, ``submit_modal``, ``press_button``, ``select`` and friends."""

    state: State
    gateway: Gateway
    application_id: int
    clock: Callable[[], float]
    interactions: dict[int, InteractionResult]
    interactions_by_token: dict[str, InteractionResult]

    def _helper(self, method: str, path: str, body: Any = None, response: Any = None) -> None:
        raise NotImplementedError

    def channel(self, channel_id: Channel | int) -> Channel:
        return self.state.channel(_channel_id(channel_id))

    def can_view(self, member: Member, channel_id: Channel | int) -> bool:
        raise NotImplementedError

    def override_command_permissions(self, guild: Guild, name: str, *, everyone: bool = True) -> None:
        """As a server owner would in Integrations settings: allow a restricted command for everyone."""
        guild.command_overrides[name] = everyone
        self._helper(
            "PUT",
            f"/applications/{self.application_id}/guilds/{guild.id}/commands/permissions",
            {"command": name, "everyone": everyone},
        )

    def _check_can_use(self, guild: Guild, member: Member, channel: Channel, top: str) -> None:
        perms = self.state.permissions_in(member, channel)
        if not perms & P.VIEW_CHANNEL:
            raise SandboxError(0, f"{member.name} cannot see channel {channel.name!r}", 0)
        if not perms & P.USE_APPLICATION_COMMANDS:
            raise SandboxError(0, f"{member.name} cannot use application commands here", 0)
        cmd = find_command(self.state, guild, top)
        required = cmd.default_member_permissions
        if required is None or guild.command_overrides.get(top):
            return
        base = self.state.base_permissions(guild, member)
        if required == 0 and not base & P.ADMINISTRATOR:
            raise SandboxError(0, f"/{top} is disabled for members by default", 0)
        if base & required != required:
            raise SandboxError(0, f"/{top} needs permissions {required} that {member.name} lacks", 0)

    def _new_interaction(
        self,
        itype: int,
        guild: Guild | None,
        channel: Channel,
        user: User,
        data: JSON,
        source: Message | None = None,
    ) -> InteractionResult:
        rec = InteractionResult(
            id=new_snowflake(),
            token="aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96),
            type=itype,
            guild_id=guild.id if guild else None,
            channel_id=channel.id,
            user_id=user.id,
            application_id=self.application_id,
            source_message=source,
            created=self.clock(),
        )
        payload = interaction_payload(
            self.state,
            result=rec,
            data=data,
            guild=guild,
            channel=channel,
            user=user,
            message=message_payload(self.state, source) if source is not None else None,
        )
        self.interactions[rec.id] = rec
        self.interactions_by_token[rec.token] = rec
        self._helper("INTERACTION", f"/interactions/{rec.id}", payload)
        self.gateway.dispatch("INTERACTION_CREATE", payload, intent=None)
        return rec

    def _invocation_channel(self, guild: Guild, in_channel: Channel | int | None) -> Channel:
        if in_channel is None:
            return guild.system_channel
        channel = self.channel(_channel_id(in_channel))
        if channel.guild_id != guild.id:
            raise unknown_channel()
        return channel

    def _split_channel(
        self, guild: Guild, name: str, in_channel: Channel | int | None, options: dict[str, Any]
    ) -> Channel:
        """``channel=`` is an option when the command has one by that name, else where it is used."""
        if "channel" in options and in_channel is None:
            names = name.split()
            cmd = find_command(self.state, guild, names[0])
            defs = cmd.options
            for sub in names[1:]:
                defs = next((o.get("options", []) for o in defs if o["name"] == sub), [])
            if not any(o["name"] == "channel" for o in defs):
                return self._invocation_channel(guild, options.pop("channel"))
        return self._invocation_channel(guild, in_channel)

    async def invoke(
        self,
        guild: Guild,
        member: Member,
        name: str,
        /,
        *,
        in_channel: Channel | int | None = None,
        **options: Any,
    ) -> InteractionResult:
        """Run slash command ``name`` ("peer join") as ``member``; options by name.

        Raises SandboxError when Discord's client would not let the member do it (unknown
        command/option, wrong type, choices, lengths, default_member_permissions).
        """
        channel = self._split_channel(guild, name, in_channel, options)
        self._check_can_use(guild, member, channel, name.split(maxsplit=1)[0])
        _cmd, data = command_data(self.state, guild, member, name, options)
        rec = self._new_interaction(APPLICATION_COMMAND, guild, channel, member.user, data)
        await self.gateway.flush()
        return rec

    async def autocomplete(
        self,
        guild: Guild,
        member: Member,
        name: str,
        /,
        *,
        focused: str,
        value: Any = "",
        in_channel: Channel | int | None = None,
        timeout: float = 5,
        **options: Any,
    ) -> list[JSON]:
        """Send an autocomplete interaction for option ``focused`` typed as ``value``; the bot's choices."""
        channel = self._split_channel(guild, name, in_channel, options)
        self._check_can_use(guild, member, channel, name.split(maxsplit=1)[0])
        options[focused] = value
        _cmd, data = command_data(self.state, guild, member, name, options, focused=focused)
        rec = self._new_interaction(AUTOCOMPLETE, guild, channel, member.user, data)
        await rec.wait_done(timeout)
        return list(rec.choices or [])

    async def submit_modal(
        self, user: Member | User, res: InteractionResult, values: dict[str, Any]
    ) -> InteractionResult:
        """Submit the modal the bot answered ``res`` with; ``values`` by the inputs' custom_id."""
        if res.modal is None:
            raise SandboxError(0, "that interaction was not answered with a modal", 0)
        if _user_id(user) != res.user_id:
            raise SandboxError(0, "only the user who opened the modal can submit it", 0)
        guild = self.state.guilds.get(res.guild_id) if res.guild_id else None
        channel = self.channel(res.channel_id)
        data = {"custom_id": res.modal["custom_id"], "components": modal_submit_components(res.modal, values)}
        account = user.user if isinstance(user, Member) else self.state.user(_user_id(user))
        rec = self._new_interaction(MODAL_SUBMIT, guild, channel, account, data, source=res.source_message)
        await self.gateway.flush()
        return rec

    def _component_interaction(
        self, user: Member | User, message: Message, custom_id: str, values: list[str] | None
    ) -> InteractionResult:
        comp = find_component(message.components, custom_id)
        if comp is None:
            raise SandboxError(0, f"message {message.id} has no component {custom_id!r}", 0)
        if comp.get("disabled"):
            raise SandboxError(0, f"component {custom_id!r} is disabled", 0)
        if message.deleted:
            raise SandboxError(0, "the message was deleted", 0)
        channel = self.channel(message.channel_id)
        guild = self.state.guilds.get(channel.guild_id) if channel.guild_id else None
        account = user.user if isinstance(user, Member) else self.state.user(_user_id(user))
        if message.ephemeral and message.interaction_user_id not in (None, account.id):
            raise SandboxError(0, "only the user who got an ephemeral message can use it", 0)
        if guild is not None and not self.can_view(guild.member(account.id), channel):
            raise missing_access()
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if values is not None:
            data["values"] = self._select_values(comp, values, guild, data)
        elif comp["type"] != 2:
            raise SandboxError(0, f"component {custom_id!r} is not a button", 0)
        return self._new_interaction(MESSAGE_COMPONENT, guild, channel, account, data, source=message)

    def _select_values(self, comp: JSON, values: list[str], guild: Guild | None, data: JSON) -> list[str]:
        if comp["type"] not in (3, 5, 6, 7, 8):
            raise SandboxError(0, f"component {comp.get('custom_id')!r} is not a select menu", 0)
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise SandboxError(0, f"select needs between {lo} and {hi} values", 0)
        out = [str(v) for v in values]
        if comp["type"] == 3:
            allowed = {o["value"] for o in comp.get("options", [])}
            bad = [v for v in out if v not in allowed]
            if bad:
                raise SandboxError(0, f"{bad} are not options of the select", 0)
            return out
        resolved: dict[str, dict[str, JSON]] = {}
        for v in out:
            vid = int(v)
            if guild is not None and vid in guild.roles:
                resolved.setdefault("roles", {})[v] = guild.roles[vid].payload()
            elif vid in self.state.channels:
                ch = self.state.channels[vid]
                entry = ch.payload()
                entry["permissions"] = "0"
                resolved.setdefault("channels", {})[v] = entry
            else:
                resolved.setdefault("users", {})[v] = self.state.user(vid).payload()
                if guild is not None and vid in guild.members:
                    resolved.setdefault("members", {})[v] = guild.members[vid].payload(with_user=False)
        data["resolved"] = resolved
        return out

    async def press_button(self, user: Member | User, message: Message, custom_id: str) -> InteractionResult:
        rec = self._component_interaction(user, message, custom_id, None)
        await self.gateway.flush()
        return rec

    async def select(
        self, user: Member | User, message: Message, custom_id: str, values: list[str]
    ) -> InteractionResult:
        rec = self._component_interaction(user, message, custom_id, values)
        await self.gateway.flush()
        return rec
