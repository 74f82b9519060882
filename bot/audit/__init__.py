"""The audit log of moderator actions, shared by every feature: append-only and tamper-evident.

Public: :class:`AuditLog` (``unit()`` gives a transaction whose entry commits with the action's own rows),
:class:`AuditedUnit`, :class:`AuditAction`, :class:`AuditView`, :class:`ChainCheck`; the anchor:
:class:`CheckpointKey`, :class:`AuditAnchor` (the daily checkpoint), :func:`resign_checkpoints` (after a
key rotation), and :func:`erase_reasons` with :func:`entries_about` (erasure of a member).
"""

from bot.audit.actions import AuditAction
from bot.audit.anchor import AuditAnchor, CheckpointKey, CheckpointMismatch, resign_checkpoints
from bot.audit.log import MAX_REASON, AuditedUnit, AuditLog, AuditView, ChainCheck, entries_about, erase_reasons

__all__ = [
    "MAX_REASON",
    "AuditAction",
    "AuditAnchor",
    "AuditLog",
    "AuditView",
    "AuditedUnit",
    "ChainCheck",
    "CheckpointKey",
    "CheckpointMismatch",
    "entries_about",
    "erase_reasons",
    "resign_checkpoints",
]
