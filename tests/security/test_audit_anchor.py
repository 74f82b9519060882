"""Finding 5: `tandem verify-audit` said "intact" after the newest entries were cut or the log emptied.

The audit chain is now anchored by checkpoints kept outside the audit table and authenticated with a key
derived from the data key; cutting, emptying and tampering are each named by `tandem verify-audit` (run as
an operator would, in a subprocess); an erased reason keeps the chain verifiable; the daily checkpoint is
posted to the moderators' log channel on the bot's own (injected) clock.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.config import load_settings
from bot.app.services import build_services
from bot.audit import AuditAction, AuditLog, erase_reasons
from bot.audit.models import AuditEntry
from bot.db.crypto import new_key
from tests.audit.verify_cli import verify_audit
from tests.e2e.clock_world import ClockWorld, clock_world

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
REASON = "reported suicidal thoughts to a moderator"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _audit(sessions: async_sessionmaker[AsyncSession], data_key: str, clock: Clock) -> AuditLog:
    """The audit log exactly as the running bot builds it."""
    return build_services(load_settings({"TANDEM_DATA_KEY": data_key}), sessions, clock=clock).audit


async def _write(audit: AuditLog, clock: Clock, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        clock.now += timedelta(minutes=1)
        await audit.record(1, 42, AuditAction.UNPAIR, pair_id=i, member_ids=[100 + i], reason=f"{REASON} {i}")


def _sql(database_url: str, statement: str, params: tuple[object, ...] = ()) -> None:
    """What someone with the database file can do: drop the append-only triggers and edit the rows."""
    with sqlite3.connect(database_url.split("///", 1)[1]) as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute(statement, params)


@pytest.mark.parametrize("cut", [1, 3])
async def test_cutting_the_newest_entries_is_detected(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str, cut: int
) -> None:
    clock = Clock()
    await _write(_audit(sessions, data_key, clock), clock, 6)
    assert verify_audit(database_url, data_key).returncode == 0

    _sql(database_url, "DELETE FROM audit_log WHERE id > ?", (6 - cut,))
    result = verify_audit(database_url, data_key)
    assert result.returncode == 1, result.stdout
    assert "no longer matches its latest checkpoint" in result.stderr
    assert f"it recorded 6 entries, the log now has {6 - cut}" in result.stderr
    assert "2026-03-02 08:06 UTC" in result.stderr  # the checkpoint, dated


async def test_emptying_the_log_is_detected(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str
) -> None:
    clock = Clock()
    await _write(_audit(sessions, data_key, clock), clock, 4)
    _sql(database_url, "DELETE FROM audit_log")
    result = verify_audit(database_url, data_key)
    assert result.returncode == 1, result.stdout
    assert "it recorded 4 entries, the log now has 0" in result.stderr


async def test_the_oldest_checkpoint_that_no_longer_fits_says_since_when(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str
) -> None:
    from bot.audit import AuditAnchor, CheckpointKey

    clock = Clock()
    audit = _audit(sessions, data_key, clock)
    await _write(audit, clock, 3)
    clock.now = T0 + timedelta(days=1)
    anchor = AuditAnchor(sessions, CheckpointKey(data_key), clock, _no_channels, _no_post)
    assert await anchor.daily() == T0 + timedelta(days=2)
    await _write(audit, clock, 3, start=3)

    _sql(database_url, "DELETE FROM audit_log WHERE id > 2")  # cut back past the daily checkpoint
    result = verify_audit(database_url, data_key)
    assert result.returncode == 1
    assert "daily checkpoint" in result.stderr and "of 2026-03-03 08:00 UTC (3 entries)" in result.stderr
    assert "it recorded 3 entries, the log now has 2" in result.stderr


async def test_tampering_is_named(sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str) -> None:
    clock = Clock()
    await _write(_audit(sessions, data_key, clock), clock, 5)

    with sqlite3.connect(database_url.split("///", 1)[1]) as raw:  # the reason as stored: encrypted
        (stored_reason,) = raw.execute("SELECT reason FROM audit_log WHERE id = 3").fetchone()
    _sql(database_url, "UPDATE audit_log SET reason = 'asked by the member' WHERE id = 3")
    changed_reason = verify_audit(database_url, data_key)
    assert changed_reason.returncode == 1
    assert "broken at entry 3: its reason was changed" in changed_reason.stderr

    # the genuine (still encrypted) reason put back, another field changed
    _sql(database_url, "UPDATE audit_log SET reason = ?, detail = 'x' WHERE id = 3", (stored_reason,))
    changed = verify_audit(database_url, data_key)
    assert "broken at entry 3: its contents were changed" in changed.stderr


async def test_a_forged_checkpoint_is_named(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str
) -> None:
    """Cutting the log and lowering the checkpoint's count to match, without the key, is caught by its MAC."""
    clock = Clock()
    await _write(_audit(sessions, data_key, clock), clock, 5)
    _sql(database_url, "DELETE FROM audit_log WHERE id > 3")
    _sql(
        database_url,
        "UPDATE audit_checkpoints SET entries = 3, head_id = 3, "
        "head_hash = (SELECT hash FROM audit_log WHERE id = 3) WHERE kind = 'latest'",
    )
    result = verify_audit(database_url, data_key)
    assert result.returncode == 1
    assert "latest checkpoint 1" in result.stderr and "authentication code does not fit" in result.stderr


async def test_an_erased_reason_still_verifies_and_nothing_else_can_be_changed(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str
) -> None:
    clock = Clock()
    await _write(_audit(sessions, data_key, clock), clock, 4)
    path = database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:  # erasure: the one change the append-only log allows
        conn.execute("UPDATE audit_log SET reason = '', reason_salt = NULL WHERE id IN (2, 4)")
        with pytest.raises(sqlite3.IntegrityError):  # a reason changes only as it is erased
            conn.execute("UPDATE audit_log SET reason = 'x' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE audit_log SET detail = 'x' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE audit_log SET reason_digest = NULL WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM audit_log WHERE id = 4")
    async with sessions.begin() as session:  # and through the audit feature's own eraser
        await erase_reasons(session, [3])
    async with sessions() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [e.reason for e in entries] == [f"{REASON} 0", "", "", ""]
    # what stays of an erased reason cannot confirm a guess at it
    with sqlite3.connect(path) as conn:
        kept = " ".join(str(v) for row in conn.execute("SELECT * FROM audit_log WHERE id = 2") for v in row)
    assert "suicidal" not in kept and hashlib.sha256(f"{REASON} 1".encode()).hexdigest() not in kept
    result = verify_audit(database_url, data_key)
    assert result.returncode == 0, result.stderr
    assert "intact: 4 entries" in result.stdout and "1 checkpoint(s) match" in result.stdout


async def test_a_checkpoint_made_with_another_key_does_not_fit(
    sessions: async_sessionmaker[AsyncSession], data_key: str
) -> None:
    from bot.audit import CheckpointKey

    clock = Clock()
    await _write(_audit(sessions, data_key, clock), clock, 2)
    assert (await AuditLog(sessions, key=CheckpointKey(data_key)).verify()).intact
    other = new_key()
    check = await AuditLog(sessions, key=CheckpointKey(other)).verify()
    assert check.checkpoint is not None and "authentication code" in check.checkpoint.problem
    # during a key rotation the old key is still accepted
    assert (await AuditLog(sessions, key=CheckpointKey(other, [data_key])).verify()).intact


async def _no_channels() -> list[tuple[int, int]]:
    return []


async def _no_post(channel_id: int, text: str) -> None:
    raise AssertionError("nothing to post to")


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


async def test_the_daily_checkpoint_is_posted_on_the_bots_clock(cworld: ClockWorld) -> None:
    await cworld.setup()
    alice = cworld.member("alice")
    await cworld.join(alice, about="I came out to my family")
    assert cworld.running is not None
    timer = cworld.running.bot.timers.get("tandem:audit-checkpoint")

    def posted() -> list[str]:
        return [m.content for m in cworld.sb.messages_in(cworld.log) if "Audit log checkpoint" in m.content]

    await timer.run_now()
    assert posted() == []  # the start-up checkpoint is less than a day old

    cworld.clock.advance(hours=23, minutes=59)
    await timer.run_now()
    assert posted() == []
    cworld.clock.advance(minutes=1)
    await timer.run_now()
    entries = await cworld.rows(select(AuditEntry).order_by(AuditEntry.id))
    assert entries
    (line,) = posted()
    assert f"{len(entries)} entries" in line and f"`{entries[-1].hash[:16]}`" in line
    assert str(alice.id) not in line and "alice" not in line
    await timer.run_now()
    assert len(posted()) == 1  # once a day
