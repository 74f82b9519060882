"""Every cog loads, and the command tree is exactly the product's interface (names are a promise)."""

from __future__ import annotations

from discord import app_commands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.client import find_extensions
from bot.app.config import load_settings
from bot.app.services import build_bot

# Every invocable command of each top-level group, subgroups spelled out ("data export").
EXPECTED = {
    "checkin": {"now", "history", "pause", "resume", "hours"},
    "goal": {"add", "list", "progress", "done", "edit", "remove", "celebrate"},
    "peer": {
        "join",
        "profile",
        "request",
        "status",
        "end",
        "leave",
        "report",
        "resources",
        "data export",
        "data delete",
    },
    "peeradmin": {
        "setup",
        "match",
        "pair",
        "unpair",
        "pairs",
        "member",
        "forget",
        "stats",
        "audit",
        "program pause",
        "program resume",
        "program checkins",
        "program retention",
        "program resources",
        "safety reports",
        "safety resolve",
        "safety block",
        "safety unblock",
        "safety access",
    },
}
MAX_CHILDREN = 25  # Discord: subcommands and groups in one command, and in one group


def leaves(group: app_commands.Group) -> list[str]:
    """The invocable commands under a group, named from it ("data export")."""
    prefix = len(group.qualified_name) + 1
    return [c.qualified_name[prefix:] for c in group.walk_commands() if isinstance(c, app_commands.Command)]


async def test_extensions_load_and_commands_are_the_interface(sessions: async_sessionmaker[AsyncSession]) -> None:
    bot = build_bot(load_settings({}), sessions)
    try:
        names = list(find_extensions())
        assert "cogs.peer" in names
        assert "cogs.peeradmin" in names
        assert "cogs.common.base" not in names  # mixins are not extensions
        assert "cogs.common.groups" not in names
        for name in names:
            await bot.load_extension(name)
        groups = {cmd.name: cmd for cmd in bot.tree.get_commands()}
        assert set(groups) == set(EXPECTED)
        for group_name, expected in EXPECTED.items():
            group = groups[group_name]
            assert isinstance(group, app_commands.Group)
            found = leaves(group)
            assert len(found) == len(set(found)), f"duplicate subcommand in /{group_name}"
            assert set(found) == expected, f"/{group_name}"
            for sub in [group, *(c for c in group.walk_commands() if isinstance(c, app_commands.Group))]:
                assert len(sub.commands) <= MAX_CHILDREN, f"/{sub.qualified_name} has too many children"
        admin = groups["peeradmin"]
        assert admin.default_permissions is not None
        assert admin.default_permissions.manage_guild
        assert admin.guild_only
        for command in bot.tree.walk_commands():
            assert command.description and len(command.description) <= 100
    finally:
        await bot.close()
