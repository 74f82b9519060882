"""Typed states of the safety tables, and the audit actions safety records. Imports no discord.

The database keeps the plain strings (``'open'``, ``'block'``…); :class:`bot.db.enum_column.EnumText` gives
them back as members, so mypy checks every comparison and a value outside the enum fails loudly.
"""

from __future__ import annotations

from enum import StrEnum


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"  # its author erased their data


class Resolution(StrEnum):
    NOTE = "note"
    PAUSE = "pause"
    END = "end"
    BLOCK = "block"  # end the pair and block it from re-forming


class ReportSource(StrEnum):
    COMMAND = "command"
    BUTTON = "button"
