"""Checkpoints that anchor the audit chain, so that cutting or emptying the log is noticed. No discord.

A checkpoint records how many entries the chain had and the hash of its newest one, with an
HMAC-SHA256 under a key derived (HKDF-SHA256) from ``TANDEM_DATA_KEY``; the data key itself is never
used for it. Checkpoints live in ``audit_checkpoints``, outside the audit table:

- the ``latest`` checkpoint moves forward in the same transaction as every entry (:func:`advance`);
- a ``daily`` checkpoint is added once a day on the timer, and posted to each server's log channel as
  a status line (count and head prefix: no member data), an anchor outside the database.

``tandem verify-audit`` checks every checkpoint's MAC and that the chain still has the entry each one
names, with the same hash; the oldest checkpoint that no longer fits says since when entries are missing.
Someone who can write the database and knows the data key could rewrite both tables: the posted lines
are what shows that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit.models import AuditCheckpoint, AuditEntry

log = logging.getLogger(__name__)

LATEST, DAILY = "latest", "daily"
EVERY = timedelta(days=1)
_INFO = b"tandem audit checkpoint v1"

# (guild_id, log_channel_id) of every server that has a log channel
Destinations = Callable[[], Awaitable[Sequence[tuple[int, int]]]]
Post = Callable[[int, str], Awaitable[None]]  # (log_channel_id, text)


def _derive(data_key: str) -> bytes:
    raw = base64.urlsafe_b64decode(data_key.encode("ascii"))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw)


class CheckpointKey:
    """MAC keys derived from the data key (signs) and older keys (still accepted during a rotation)."""

    def __init__(self, data_key: str, older: Sequence[str] = ()) -> None:
        self._keys = [_derive(k) for k in (data_key, *older)]

    def __repr__(self) -> str:
        return "CheckpointKey(**********)"

    def sign(self, cp: AuditCheckpoint) -> str:
        return hmac.new(self._keys[0], _message(cp), hashlib.sha256).hexdigest()

    def fits(self, cp: AuditCheckpoint) -> bool:
        msg = _message(cp)
        return any(hmac.compare_digest(hmac.new(k, msg, hashlib.sha256).hexdigest(), cp.mac) for k in self._keys)


def _message(cp: AuditCheckpoint) -> bytes:
    at = cp.at.astimezone(UTC).isoformat(timespec="microseconds")
    return f"{cp.kind}\n{at}\n{cp.entries}\n{cp.head_id}\n{cp.head_hash}".encode()


async def advance(session: AsyncSession, key: CheckpointKey, entry: AuditEntry, at: datetime) -> None:
    """Move the ``latest`` checkpoint onto ``entry``, just appended in this transaction."""
    latest = await session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.kind == LATEST).limit(1))
    if latest is not None and latest.head_hash == entry.prev_hash:
        count = latest.entries + 1
    else:  # the first checkpoint, or one that lagged: count the chain
        count = await session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    if latest is None:
        latest = AuditCheckpoint(kind=LATEST)
        session.add(latest)
    latest.at, latest.entries, latest.head_id, latest.head_hash = at, count, entry.id, entry.hash
    latest.mac = key.sign(latest)


def status_line(cp: AuditCheckpoint) -> str:
    return (
        f"Audit log checkpoint: {cp.entries} entries, newest hash `{cp.head_hash[:16]}` "
        f"(<t:{int(cp.at.timestamp())}:f>). `tandem verify-audit` checks the log against it."
    )


@dataclass(frozen=True)
class CheckpointMismatch:
    checkpoint_id: int
    kind: str
    at: datetime
    entries: int
    problem: str


class AuditAnchor:
    """The daily pass: add a ``daily`` checkpoint and post it to each log channel."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        key: CheckpointKey,
        clock: Callable[[], datetime],
        destinations: Destinations,
        post: Post,
    ) -> None:
        self.sessions = sessions
        self.key = key
        self.clock = clock
        self.destinations = destinations
        self.post = post

    async def daily(self) -> datetime | None:
        """Timer pass: a checkpoint once a day (caught up after downtime); returns the next one's time."""
        now = self.clock()
        async with self.sessions.begin() as session:
            stmt = select(AuditCheckpoint.at).where(AuditCheckpoint.kind == DAILY).order_by(AuditCheckpoint.id.desc())
            last = await session.scalar(stmt.limit(1))
            if last is not None and now - last.astimezone(UTC) < EVERY:
                return last.astimezone(UTC) + EVERY
            cp = await self._checkpoint(session, now)
        for guild_id, channel_id in await self.destinations():
            try:
                await self.post(channel_id, status_line(cp))
            except Exception:  # one server's channel failing never stops the others
                log.exception("the audit checkpoint could not be posted to server %s's log channel", guild_id)
        return now + EVERY

    async def _checkpoint(self, session: AsyncSession, now: datetime) -> AuditCheckpoint:
        head = (await session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()))).first()
        count = await session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        cp = AuditCheckpoint(
            kind=DAILY, at=now, entries=count, head_id=head[0] if head else 0, head_hash=head[1] if head else ""
        )
        cp.mac = self.key.sign(cp)
        session.add(cp)
        return cp


async def check_checkpoints(
    session: AsyncSession, key: CheckpointKey, hashes_at: dict[int, str], entries: int
) -> tuple[int, CheckpointMismatch | None]:
    """Compare every checkpoint with the chain walked (``hashes_at``: position -> hash, ``entries``: its
    length). Returns how many were checked and the oldest one that no longer fits."""
    rows = (await session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.at, AuditCheckpoint.id))).all()
    for cp in rows:
        problem = ""
        if not key.fits(cp):
            problem = "its authentication code does not fit (it was forged or changed)"
        elif cp.entries > entries:
            problem = f"it recorded {cp.entries} entries, the log now has {entries}: newer entries were removed"
        elif cp.entries and hashes_at.get(cp.entries) != cp.head_hash:
            problem = f"entry number {cp.entries} no longer has the hash it recorded"
        if problem:
            return len(rows), CheckpointMismatch(cp.id, cp.kind, cp.at, cp.entries, problem)
    return len(rows), None


async def resign_checkpoints(sessions: async_sessionmaker[AsyncSession], key: CheckpointKey) -> tuple[int, int]:
    """After a key rotation: sign again, under the new key, every checkpoint an accepted key signed.
    One that fits no key is left as it is (``verify-audit`` keeps naming it). Returns (re-signed, left)."""
    done = left = 0
    async with sessions.begin() as session:
        for cp in (await session.scalars(select(AuditCheckpoint))).all():
            if key.fits(cp):
                cp.mac = key.sign(cp)
                done += 1
            else:
                left += 1
    return done, left


async def needed_positions(session: AsyncSession) -> set[int]:
    return set((await session.scalars(select(AuditCheckpoint.entries))).all())
