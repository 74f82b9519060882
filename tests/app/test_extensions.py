"""Every cog loads, and the command tree is exactly the product's interface (names are a promise)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.client import find_extensions
from bot.app.config import load_settings
from bot.app.services import build_bot

EXPECTED = {
    "peer": {"join", "profile", "request", "status", "end", "leave", "report", "resources", "data"},
    "peeradmin": {
        "setup",
        "match",
        "pair",
        "unpair",
        "pairs",
        "audit",
        "reports",
        "resolve",
        "resources",
        "pause",
        "resume",
        "block",
        "unblock",
        "member",
    },
}


async def test_extensions_load_and_commands_are_the_interface(sessions: async_sessionmaker[AsyncSession]) -> None:
    bot = build_bot(load_settings({}), sessions)
    try:
        names = list(find_extensions())
        assert "cogs.peer" in names
        assert "cogs.peeradmin" in names
        assert "cogs.common.base" not in names  # mixins are not extensions
        for name in names:
            await bot.load_extension(name)
        groups = {cmd.name: cmd for cmd in bot.tree.get_commands()}
        assert set(groups) >= set(EXPECTED)
        for group_name, expected in EXPECTED.items():
            sub = [c.name for c in groups[group_name].commands]  # type: ignore[union-attr]
            assert len(sub) == len(set(sub)), f"duplicate subcommand in /{group_name}"
            assert expected <= set(sub)
        admin = groups["peeradmin"]
        assert admin.default_permissions is not None
        assert admin.default_permissions.manage_guild
        assert admin.guild_only
        for command in bot.tree.walk_commands():
            assert command.description and len(command.description) <= 100
    finally:
        await bot.close()
