"""How an audit entry's hash is made, and how one entry is checked. Imports no discord.

Two versions live side by side (``hash_version``):

- v1 (entries written before revision ``0006 (audit anchor)``): the hash covers the reason itself, so
  an erased v1 reason can only be checked for its place in the chain (its link), not its contents;
- v2 (every entry since): the hash covers ``reason_sha256``, the SHA-256 digest of a random salt and the
  reason, stored in ``reason_digest``. Erasing the reason (empty text, and the salt with it) keeps the
  entry verifiable: the digest still fits the hash. While the reason is present it must fit its digest.

The salt (16 random bytes, stored encrypted like members' text) is what keeps a digest from confirming
a guess such as "reported suicidal thoughts": without the data key before erasure, and for anyone after
it, the digest says nothing about the reason. Every entry, v1 included, has a salted digest since 0007.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.audit.models import AuditEntry

GENESIS = "0" * 64
CURRENT_VERSION = 2


def new_salt() -> str:
    return secrets.token_hex(16)


def reason_digest(reason: str, salt: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + reason.encode("utf-8")).hexdigest()


def entry_hash(
    prev_hash: str,
    *,
    guild_id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    pair_id: int | None,
    member_ids: Sequence[int],
    case_id: int | None,
    detail: str,
    reason: str | None = None,
    digest: str | None = None,
) -> str:
    """v1 when ``reason`` is given, v2 when ``digest`` is (exactly one of them)."""
    fields: dict[str, Any] = {
        "guild_id": guild_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "pair_id": pair_id,
        "member_ids": list(member_ids),
        "case_id": case_id,
        "detail": detail,
    }
    if digest is not None:
        fields |= {"v": 2, "reason_sha256": digest}
    else:
        fields["reason"] = reason or ""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def _hash_of(row: AuditEntry, *, v1_reason: str | None = None) -> str:
    common: dict[str, Any] = {
        "guild_id": row.guild_id,
        "at": row.at,
        "actor_id": row.actor_id,
        "action": row.action,
        "pair_id": row.pair_id,
        "member_ids": row.member_ids,
        "case_id": row.case_id,
        "detail": row.detail,
    }
    if v1_reason is not None:
        return entry_hash(row.prev_hash, reason=v1_reason, **common)
    return entry_hash(row.prev_hash, digest=row.reason_digest or "", **common)


def entry_problem(row: AuditEntry, prev: str) -> str | None:
    """Why this entry does not fit the chain after ``prev``, or None when it fits."""
    if row.prev_hash != prev:
        return "an entry before it was changed or removed"
    reason = row.reason or ""
    salt = row.reason_salt
    if reason and row.reason_digest is not None and (not salt or reason_digest(reason, salt) != row.reason_digest):
        return "its reason was changed"
    if (row.hash_version or 1) >= CURRENT_VERSION:
        fits = _hash_of(row) == row.hash
    elif reason:
        fits = _hash_of(row, v1_reason=reason) == row.hash
    else:  # a v1 entry without a reason: never had one, or erased (then only its link can be checked)
        fits = _hash_of(row, v1_reason="") == row.hash or row.reason_salt is None
    return None if fits else "its contents were changed"
