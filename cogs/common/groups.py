"""The /peeradmin subgroups, defined once and shared by the per-feature command mixins.

A mixin adds its commands with ``@PROGRAM.command(...)`` or ``@SAFETY.command(...)``; the PeerAdmin
GroupCog lists each group as a class attribute, so discord.py's CogMeta collects it and, for every
cog instance, copies it with its children bound to that cog (its ``interaction_check`` included).
"""

from __future__ import annotations

from discord import app_commands

PROGRAM = app_commands.Group(name="program", description="Run the program: pause, check-ins, retention, resources")
SAFETY = app_commands.Group(name="safety", description="Reports, blocks and break-glass access")
