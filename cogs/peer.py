"""/peer: what members do. The group is assembled from small command mixins, one file each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from cogs.pairing.commands import PeerPairingCommands
from cogs.pairing.profile import PeerProfileCommands
from cogs.safety.commands import PeerDataCommands, PeerSafetyCommands

if TYPE_CHECKING:
    from bot.app.client import TandemBot


@app_commands.guild_only()
class Peer(
    PeerProfileCommands,
    PeerPairingCommands,
    PeerSafetyCommands,
    PeerDataCommands,
    commands.GroupCog,
    group_name="peer",
    group_description="Tandem's peer-support program",
):
    def __init__(self, bot: TandemBot) -> None:
        self.bot = bot
        super().__init__()


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(Peer(bot))
