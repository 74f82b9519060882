"""The audit log of moderator actions: append-only and tamper-evident. Imports no discord.

Every entry stores who, what, when, on which pair or member, and why, plus the hash of the entry
before it. Changing or deleting an entry breaks the chain at that point, and :meth:`AuditLog.verify`
(``tandem verify-audit``) names the first entry that no longer fits. The bot only ever inserts, and
erasure may blank a reason (the hash covers its digest: see :mod:`bot.audit.chain`). With a
:class:`CheckpointKey`, each entry also moves the checkpoint that catches a cut log (:mod:`bot.audit.anchor`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import InvalidToken
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit.actions import AuditAction
from bot.audit.anchor import CheckpointKey, CheckpointMismatch, advance, check_checkpoints, needed_positions
from bot.audit.chain import CURRENT_VERSION, GENESIS, entry_hash, entry_problem, new_salt, reason_digest
from bot.audit.models import AuditEntry
from bot.core.text import clean_line
from bot.db.base import utcnow

MAX_REASON = 200
MAX_DETAIL = 200


@dataclass(frozen=True)
class AuditView:
    entry_id: int
    at: datetime
    actor_id: int | None
    action: str
    pair_id: int | None
    member_ids: tuple[int, ...]
    case_id: int | None
    detail: str
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    first_broken: int | None = None
    problem: str = ""
    checkpoints: int = 0
    checkpoint: CheckpointMismatch | None = None  # the oldest checkpoint the log no longer fits

    @property
    def intact(self) -> bool:
        return self.first_broken is None and self.checkpoint is None


class AuditedUnit:
    """A transaction that carries its own audit entry (see :meth:`AuditLog.unit`)."""

    def __init__(self, session: AsyncSession, clock: Callable[[], datetime], key: CheckpointKey | None = None) -> None:
        self.session = session
        self.clock = clock
        self.key = key

    async def record(
        self,
        guild_id: int,
        actor_id: int | None,
        action: AuditAction,
        *,
        pair_id: int | None = None,
        member_ids: Sequence[int] = (),
        case_id: int | None = None,
        detail: str = "",
        reason: str = "",
    ) -> int:
        session = self.session
        last = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
        prev = last or GENESIS
        fields = {
            "guild_id": guild_id,
            "at": self.clock(),
            "actor_id": actor_id,
            "action": action,
            "pair_id": pair_id,
            "member_ids": list(member_ids),
            "case_id": case_id,
            "detail": clean_line(detail)[:MAX_DETAIL],
        }
        kept = clean_line(reason)[:MAX_REASON]
        salt = new_salt()
        digest = reason_digest(kept, salt)
        entry = AuditEntry(
            prev_hash=prev,
            hash=entry_hash(prev, digest=digest, **fields),  # type: ignore[arg-type]
            reason=kept,
            reason_digest=digest,
            reason_salt=salt,
            hash_version=CURRENT_VERSION,
            **fields,
        )
        session.add(entry)
        await session.flush()
        if self.key is not None:
            await advance(session, self.key, entry, fields["at"])  # type: ignore[arg-type]
        return entry.id


class AuditLog:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime] = utcnow,
        key: CheckpointKey | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.key = key  # without one (tests, no data key) no checkpoint is kept
        self._lock = asyncio.Lock()  # one writer at a time; the unique prev_hash stops forks across processes

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AuditedUnit]:
        """One unit of work whose audit entry commits with it: both or neither survive a crash.

        A moderator action opens its transaction here, changes its rows through ``unit.session`` and
        calls ``unit.record(...)`` before any Discord call; the chain's head is read and extended under
        this process's audit lock, and the unique ``prev_hash`` refuses a fork from another process."""
        async with self._lock, self.sessions.begin() as session:
            yield AuditedUnit(session, self.clock, self.key)

    async def record(
        self,
        guild_id: int,
        actor_id: int | None,
        action: AuditAction,
        *,
        pair_id: int | None = None,
        member_ids: Sequence[int] = (),
        case_id: int | None = None,
        detail: str = "",
        reason: str = "",
    ) -> int:
        """An entry in a transaction of its own (for what has no row of its own: a refusal, a view)."""
        async with self.unit() as unit:
            return await unit.record(
                guild_id,
                actor_id,
                action,
                pair_id=pair_id,
                member_ids=member_ids,
                case_id=case_id,
                detail=detail,
                reason=reason,
            )

    async def shown_to(
        self, guild_id: int, moderator_id: int, *, member_id: int | None = None, limit: int = 20
    ) -> list[AuditView]:
        """The latest entries for a moderator; the look itself is then appended (``audit``)."""
        entries = await self.recent(guild_id, member_id=member_id, limit=limit)
        members = [member_id] if member_id is not None else []
        await self.record(guild_id, moderator_id, AuditAction.AUDIT, member_ids=members)
        return entries

    async def recent(self, guild_id: int, *, member_id: int | None = None, limit: int = 20) -> list[AuditView]:
        async with self.sessions() as session:
            stmt = select(AuditEntry).where(AuditEntry.guild_id == guild_id).order_by(AuditEntry.id.desc())
            rows = (await session.scalars(stmt.limit(limit if member_id is None else 2000))).all()
        views = [
            AuditView(r.id, r.at, r.actor_id, r.action, r.pair_id, tuple(r.member_ids), r.case_id, r.detail, r.reason)
            for r in rows
            if member_id is None or member_id in r.member_ids or r.actor_id == member_id
        ]
        return views[:limit]

    async def verify(self, batch: int = 1000) -> ChainCheck:
        """Walk the whole chain in order; the first entry whose links or contents do not fit is named.
        With a key, every checkpoint is then checked against the chain (truncation, emptying)."""
        prev, checked, last_id = GENESIS, 0, 0
        hashes_at: dict[int, str] = {}
        async with self.sessions() as session:
            wanted = await needed_positions(session) if self.key is not None else set()
            while True:
                stmt = select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id)
                try:
                    rows = (await session.scalars(stmt.limit(batch))).all()
                except InvalidToken:  # some reason no longer opens: walk one by one to name the entry
                    try:
                        rows = (await session.scalars(stmt.limit(1))).all()
                    except InvalidToken:
                        bad = await session.scalar(
                            select(AuditEntry.id).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(1)
                        )
                        return ChainCheck(checked, bad, "its reason was changed (it no longer opens under the key)")
                if not rows:
                    break
                for row in rows:
                    problem = entry_problem(row, prev)
                    if problem is not None:
                        return ChainCheck(checked, row.id, problem)
                    prev, last_id = row.hash, row.id
                    checked += 1
                    if checked in wanted:
                        hashes_at[checked] = row.hash
                session.expunge_all()
            if self.key is None:
                return ChainCheck(checked)
            count, mismatch = await check_checkpoints(session, self.key, hashes_at, checked)
        return ChainCheck(checked, checkpoints=count, checkpoint=mismatch)


async def erase_reasons(session: AsyncSession, entry_ids: Sequence[int]) -> None:
    """Replace these entries' reasons with empty text and drop their salts (erasure). Their digests stay,
    so the chain still verifies and reveals nothing; nothing else about an entry can be changed (revision
    0007's trigger refuses it)."""
    if entry_ids:
        erased = update(AuditEntry).where(AuditEntry.id.in_(list(entry_ids))).values(reason="", reason_salt=None)
        await session.execute(erased)


async def entries_about(session: AsyncSession, guild_id: int, user_id: int, pair_ids: Sequence[int] = ()) -> list[int]:
    """The ids of this server's entries with a reason that name the member or one of their pairs (as a
    subject, not as the moderator acting): a break-glass "why" is about both members of the pair."""
    rows = await session.execute(  # an erased reason has no salt left: it is not erased twice
        select(AuditEntry.id, AuditEntry.member_ids, AuditEntry.pair_id).where(
            AuditEntry.guild_id == guild_id, AuditEntry.reason_salt.is_not(None)
        )
    )
    pairs = set(pair_ids)
    return [entry_id for entry_id, members, pair_id in rows if user_id in (members or []) or pair_id in pairs]
