"""Every /peeradmin subcommand, taken from the command tree, refuses and audits a non-moderator even
when the server owner opened the group to everyone in Discord. New subcommands are covered by themselves."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from sqlalchemy import select

from bot.audit.models import AuditEntry
from cogs.peeradmin import PeerAdmin
from tests.e2e.conftest import World
from tests.e2e.helpers import eventually

REFUSED = "Only the program's moderators can use /peeradmin commands."


def leaves(commands: list[Any]) -> dict[str, app_commands.Command[Any, Any, Any]]:
    """Every invocable command, subgroups included, named below /peeradmin ("safety block")."""
    found: dict[str, app_commands.Command[Any, Any, Any]] = {}
    for command in commands:
        if isinstance(command, app_commands.Group):
            found |= {f"{command.name} {name}": c for name, c in leaves(command.commands).items()}
        elif isinstance(command, app_commands.Command):
            found[command.name] = command
    return found


SUBCOMMANDS = leaves(PeerAdmin.__cog_app_commands__)


def sample_options(world: World, command: app_commands.Command[Any, Any, Any], someone: Any) -> dict[str, Any]:
    """A valid value for every required option, whatever its type."""
    kind = discord.AppCommandOptionType
    options: dict[str, Any] = {}
    for param in command.parameters:
        if not param.required:
            continue
        if param.choices:
            options[param.name] = param.choices[0].value
        elif param.type is kind.string:
            options[param.name] = "x"
        elif param.type in (kind.integer, kind.number):
            options[param.name] = 1
        elif param.type is kind.boolean:
            options[param.name] = False
        elif param.type in (kind.user, kind.mentionable):
            options[param.name] = someone
        elif param.type is kind.channel:
            wants_category = discord.ChannelType.category in param.channel_types
            options[param.name] = world.category if wants_category else world.hub
        elif param.type is kind.role:
            options[param.name] = world.sb.add_role(world.guild, "some-role")
        else:
            raise AssertionError(f"no sample value for option {param.name} of type {param.type}")
    return options


async def test_the_parametrized_list_is_the_live_command_tree(world: World) -> None:
    tree = world.running.bot.tree  # type: ignore[union-attr]
    group = tree.get_command("peeradmin", guild=discord.Object(world.guild.id)) or tree.get_command("peeradmin")
    assert isinstance(group, app_commands.Group)
    assert set(leaves(group.commands)) == set(SUBCOMMANDS)
    assert {"safety access", "program pause", "audit"} <= set(SUBCOMMANDS)  # the subgroups are walked


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
async def test_every_peeradmin_command_refuses_and_audits_a_non_moderator(world: World, name: str) -> None:
    await world.setup()
    carol = world.member("carol")
    world.sb.override_command_permissions(world.guild, "peeradmin", everyone=True)
    before = await world.rows(select(AuditEntry))  # the moderator's own setup audits itself before it answers
    newer = select(AuditEntry).where(AuditEntry.id > max((e.id for e in before), default=0))
    result = await world.run(carol, f"peeradmin {name}", **sample_options(world, SUBCOMMANDS[name], carol))
    assert result.ephemeral and result.content == REFUSED and result.modal is None
    assert len(result.messages) == 1  # answered once, by the permission check

    async def audited() -> bool:
        return bool(await world.rows(newer))

    await eventually(audited)  # the refusal is answered first, then audited
    after = await world.rows(newer)
    assert [(e.action, e.actor_id, e.detail) for e in after] == [("refused", carol.id, f"/peeradmin {name}")]
