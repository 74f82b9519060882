"""Typed states of the safety tables, and the audit actions safety records. Imports no discord.

The database keeps the plain strings (``'open'``, ``'block'``…); :class:`StrEnumType` gives them back as
members, so mypy checks every comparison and a value outside the enum fails loudly when read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect


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


class AuditAction(StrEnum):
    """What a safety entry in the audit log records (other features name their own actions)."""

    PAUSE = "pause"
    RESUME = "resume"
    RESOURCES = "resources"
    RETENTION = "retention"
    BLOCK = "block"
    UNBLOCK = "unblock"
    RESOLVE = "resolve"
    ACCESS = "access"
    ACCESS_WITHDRAWN = "access_withdrawn"  # the notice could not be posted or the view opened: nothing given
    ACCESS_ENDED = "access_ended"
    RETENTION_DELETED = "retention_deleted"
    FORGET = "forget"
    MEMBER = "member"
    REPORTS = "reports"
    STATS = "stats"
    AUDIT = "audit"
    REFUSED = "refused"


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A string column read back as a member of ``enum``."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)
