"""What every command mixin can rely on: the bot and its services, set by the assembling GroupCog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class CogBase(commands.Cog):
    """A mixin of commands; the GroupCog that lists it among its bases registers them."""

    bot: TandemBot
