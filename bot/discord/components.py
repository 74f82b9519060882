"""The persistent buttons the bot posts: each one's label and look, keyed by its custom id.

Views are built here from :mod:`bot.discord.custom_ids`; the cogs' ``DynamicItem`` classes answer the
presses (they use :func:`button` too, so a button looks the same wherever it is made). Services describe
a button by what it does (:class:`bot.checkins.outbox.ButtonSpec`); :func:`spec_id` renders its id.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.checkins import Action, ButtonSpec
from bot.discord import custom_ids as ids

Look = tuple[str, discord.ButtonStyle]

PRIMARY = discord.ButtonStyle.primary
SECONDARY = discord.ButtonStyle.secondary

LOOKS: dict[type[ids.PersistentId], Look] = {
    ids.Rematch: ("Find me a new match", PRIMARY),
    ids.Agreement: ("Our agreement", PRIMARY),
    ids.CheckIn: ("Check in", PRIMARY),
    ids.Support: ("I could use support", SECONDARY),
    ids.TellModerators: ("Let the moderators know (they see nothing I wrote)", SECONDARY),
    ids.Report: ("Something's wrong", SECONDARY),
}
QUIET_LOOKS: dict[ids.QuietChoice, Look] = {
    ids.QuietChoice.KEEP: ("Keep waiting", SECONDARY),
    ids.QuietChoice.PAUSE: ("Pause our pairing", SECONDARY),
    ids.QuietChoice.REMATCH: ("Match me with someone new", PRIMARY),
}


def look(ref: ids.PersistentId) -> Look:
    if isinstance(ref, ids.Quiet):
        return QUIET_LOOKS[ref.choice]
    return LOOKS[type(ref)]


def button(ref: ids.PersistentId) -> discord.ui.Button[Any]:
    label, style = look(ref)
    return discord.ui.Button(label=label, style=style, custom_id=ref.render())


def spec_id(spec: ButtonSpec) -> ids.PersistentId:
    """The custom id of a button a service described by its action."""
    match spec.action:
        case Action.CHECK_IN:
            return ids.CheckIn(spec.guild_id, spec.pair_id)
        case Action.ASK_FOR_SUPPORT:
            return ids.Support(spec.guild_id)
        case Action.KEEP_WAITING:
            return ids.Quiet(spec.guild_id, spec.pair_id, ids.QuietChoice.KEEP)
        case Action.PAUSE_PAIRING:
            return ids.Quiet(spec.guild_id, spec.pair_id, ids.QuietChoice.PAUSE)
        case Action.MATCH_ME_ANEW:
            return ids.Quiet(spec.guild_id, spec.pair_id, ids.QuietChoice.REMATCH)


def persistent_view(*refs: ids.PersistentId) -> discord.ui.View:
    """Plain buttons whose custom ids the bot's DynamicItems answer, so they work after a restart.

    The view is stopped before it is sent: discord.py then keeps no copy of it per message (a view
    without a timeout would otherwise stay in memory for as long as the bot runs)."""
    view = discord.ui.View(timeout=None)
    for ref in refs:
        view.add_item(button(ref))
    view.stop()
    return view


def welcome_view(guild_id: int, pair_id: int) -> discord.ui.View:
    """Under a pair's welcome: "Our agreement" and the private "Something's wrong"."""
    return persistent_view(ids.Agreement(guild_id, pair_id), ids.Report(pair_id))


def rematch_view(guild_id: int) -> discord.ui.View:
    """In the DM that tells a member their pairing ended."""
    return persistent_view(ids.Rematch(guild_id))


def specs_view(specs: tuple[ButtonSpec, ...]) -> discord.ui.View:
    return persistent_view(*(spec_id(spec) for spec in specs))
