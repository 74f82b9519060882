"""Application command payloads Discord refuses on sync (bulk overwrite, guild and global)."""

from __future__ import annotations

from typing import Any

import pytest

from .raw import Raw, form_error_codes


def option(name: str = "topic", otype: int = 3, **extra: Any) -> dict[str, Any]:
    return {"type": otype, "name": name, "description": "A topic", **extra}


def command(name: str = "peer", description: str = "Peer support", **extra: Any) -> dict[str, Any]:
    return {"type": 1, "name": name, "description": description, **extra}


def choices(n: int, size: int = 1) -> list[dict[str, str]]:
    return [{"name": f"{i:0{size}d}", "value": f"{i:0{size}d}"} for i in range(n)]


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("uppercase", command("Peer"), "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
    ("space", command("peer join"), "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
    ("33 characters", command("p" * 33), "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
    ("punctuation", command("peer!"), "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
    ("empty description", command(description=""), "0.description", "BASE_TYPE_BAD_LENGTH"),
    ("description 101", command(description="d" * 101), "0.description", "BASE_TYPE_BAD_LENGTH"),
    ("26 options", command(options=[option(f"o{i}") for i in range(26)]), "0.options", "BASE_TYPE_MAX_LENGTH"),
    ("26 subcommands", command(options=[option(f"s{i}", 1) for i in range(26)]), "0.options", "BASE_TYPE_MAX_LENGTH"),
    ("option uppercase", command(options=[option("Topic")]), "0.options.0.name", "APPLICATION_COMMAND_INVALID_NAME"),
    (
        "option description 101",
        command(options=[option(description="d" * 101)]),
        "0.options.0.description",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "duplicate option",
        command(options=[option("a"), option("a")]),
        "0.options.1.name",
        "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
    ),
    (
        "required after optional",
        command(options=[option("a"), option("b", required=True)]),
        "0.options",
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    ),
    (
        "autocomplete with choices",
        command(options=[option(autocomplete=True, choices=choices(2))]),
        "0.options.0.autocomplete",
        "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
    ),
    ("26 choices", command(options=[option(choices=choices(26))]), "0.options.0.choices", "BASE_TYPE_MAX_LENGTH"),
    (
        "choice name 101",
        command(options=[option(choices=[{"name": "n" * 101, "value": "v"}])]),
        "0.options.0.choices.0.name",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "choice value 101",
        command(options=[option(choices=[{"name": "n", "value": "v" * 101}])]),
        "0.options.0.choices.0.value",
        "BASE_TYPE_MAX_LENGTH",
    ),
    ("max_length 6001", command(options=[option(max_length=6001)]), "0.options.0.max_length", "NUMBER_TYPE_MAX"),
    (
        "nested subcommand option",
        command(options=[option("join", 1, options=[option("a"), option("b", required=True)])]),
        "0.options.0.options",
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
    ),
    (
        "group subcommand name",
        command(options=[option("admin", 2, options=[option("Pair", 1)])]),
        "0.options.0.options.0.name",
        "APPLICATION_COMMAND_INVALID_NAME",
    ),
    (
        "over 8,000 characters",
        command(options=[option(f"o{i}", description="d" * 100, choices=choices(25, 100)) for i in range(2)]),
        "0",
        "APPLICATION_COMMAND_TOO_LARGE",
    ),
]


@pytest.mark.parametrize(("cmd", "path", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_command_limits(raw: Raw, cmd: dict[str, Any], path: str, code: str) -> None:
    before = {c.name for c in raw.guild.commands.values()}
    assert code in form_error_codes(*await raw.sync([cmd]), path)
    assert {c.name for c in raw.guild.commands.values()} == before == {"ping"}  # nothing replaced


async def test_global_sync_is_checked_too(raw: Raw) -> None:
    status, body = await raw.call("PUT", f"/applications/{raw.sb.application_id}/commands", [command("Peer")])
    assert form_error_codes(status, body, "0.name") == ["APPLICATION_COMMAND_INVALID_NAME"]
    assert raw.sb.state.global_commands == {}


async def test_names_in_any_script_and_the_largest_command_are_accepted(raw: Raw) -> None:
    big = command(
        "p" * 32,
        "d" * 100,
        options=[
            option("a", description="d" * 100, required=True, choices=choices(25, 70)),
            option("b", autocomplete=True),
        ],
    )
    cmds = [command("café"), command("नमस्ते"), command("สวัสดี"), command("peer-join_2"), big]
    cmds.append({"type": 2, "name": "Report This User", "description": ""})  # user commands: any case, spaces
    status, body = await raw.sync(cmds)
    assert status == 200, body
    assert len(raw.guild.commands) == 6


async def test_bot_sync_through_discord_py_is_accepted(world: Any) -> None:
    # the test bot's tree (groups, choices, autocomplete, permissions) passes Discord's rules
    assert {c.name for c in world.guild.commands.values()} == {"peer", "peeradmin"}
