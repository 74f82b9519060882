"""The buttons under a pair's welcome message: "Our agreement" and "Something's wrong"."""

from __future__ import annotations

import discord

from cogs.checkins.views import AgreementButton
from cogs.safety.views import ReportButton


def welcome_view(guild_id: int, pair_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AgreementButton(guild_id, pair_id))
    view.add_item(ReportButton(pair_id))
    return view
