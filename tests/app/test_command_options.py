"""Every slash-command option is described for members, and free text is capped where its service caps it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from discord import AppCommandOptionType, app_commands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.client import TandemBot, find_extensions
from bot.app.config import load_settings
from bot.app.services import build_bot
from bot.audit import MAX_REASON
from bot.checkins import goals
from bot.pairing import profiles
from bot.safety import service as safety

PLACEHOLDER = "…"  # discord.py's description when an option has none
# What each service accepts; the option must not let a member type more (nor refuse what it accepts).
SERVICE_LIMITS = {
    "peeradmin safety access reason": MAX_REASON,
    "peeradmin safety resolve note": safety.MAX_NOTE,
    "goal add objective": goals.MAX_OBJECTIVE,
    "goal edit objective": goals.MAX_OBJECTIVE,
    "goal progress note": goals.MAX_NOTE,
    "peer join about": profiles.MAX_ABOUT_LENGTH,
}


@pytest.fixture
async def bot(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[TandemBot]:
    built = build_bot(load_settings({}), sessions)
    try:
        for name in find_extensions():
            await built.load_extension(name)
        yield built
    finally:
        await built.close()


def options(bot: TandemBot) -> list[tuple[str, app_commands.Parameter]]:
    return [
        (f"{command.qualified_name} {param.name}", param)
        for command in bot.tree.walk_commands()
        if isinstance(command, app_commands.Command)
        for param in command.parameters
    ]


async def test_every_option_has_a_real_description(bot: TandemBot) -> None:
    found = options(bot)
    assert len(found) > 30
    placeholders = [name for name, param in found if param.description.strip() in ("", PLACEHOLDER, "...")]
    assert placeholders == []
    assert all(len(param.description) <= 100 for _name, param in found)


async def test_free_text_options_are_capped_as_their_services_cap_them(bot: TandemBot) -> None:
    text = {
        name: param for name, param in options(bot) if param.type == AppCommandOptionType.string and not param.choices
    }
    uncapped = [name for name, param in text.items() if param.max_value is None]
    assert uncapped == []
    for name, limit in SERVICE_LIMITS.items():
        assert text[name].max_value == limit, name
