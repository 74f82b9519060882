"""Server events that change the program: a paired member leaving the server ends the pair kindly (their
data is erased after the server's departed-members days unless they come back)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from bot.app.client import TandemBot


class Members(commands.Cog):
    def __init__(self, bot: TandemBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        guild = self.bot.get_guild(payload.guild_id)
        name = guild.name if guild else "the server"
        await self.bot.endings.member_left_server(payload.guild_id, payload.user.id, name)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.bot.profiles.member_returned(member.guild.id, member.id)


async def setup(bot: TandemBot) -> None:
    await bot.add_cog(Members(bot))
