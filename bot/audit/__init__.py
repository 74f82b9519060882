"""The audit log of moderator actions, shared by every feature: append-only and tamper-evident.

Public: :class:`AuditLog` (``unit()`` gives a transaction whose entry commits with the action's own rows),
:class:`AuditedUnit`, :class:`AuditAction`, :class:`AuditView`, :class:`ChainCheck`.
"""

from bot.audit.actions import AuditAction
from bot.audit.log import MAX_REASON, AuditedUnit, AuditLog, AuditView, ChainCheck

__all__ = ["MAX_REASON", "AuditAction", "AuditLog", "AuditView", "AuditedUnit", "ChainCheck"]
