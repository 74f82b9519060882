"""The audit log's hash chain, and `tandem verify-audit` naming the first broken entry."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit.log import AuditLog
from tests.audit.verify_cli import verify_audit


async def test_chain_verifies_and_a_deleted_or_changed_entry_is_named(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str
) -> None:
    log = AuditLog(sessions)
    for i in range(5):
        await log.record(1, 42, "unpair", member_ids=[100 + i], reason=f"asked by the member {i}")
    assert (await log.verify()).intact
    ok = verify_audit(database_url, data_key)
    assert ok.returncode == 0, ok.stderr
    assert "intact: 5 entries" in ok.stdout

    path = database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM audit_log WHERE id = 3")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE id = 3")
    broken = verify_audit(database_url, data_key)
    assert broken.returncode == 1
    assert "broken at entry 4" in broken.stderr
    assert broken.stderr.strip().count("\n") == 0


async def test_reasons_are_cleaned_and_bounded(sessions: async_sessionmaker[AsyncSession]) -> None:
    log = AuditLog(sessions)
    await log.record(1, 42, "access", reason="line\nbreak\u200b" + "y" * 500)
    (entry,) = await log.recent(1)
    assert entry.reason.startswith("line break") and len(entry.reason) == 200
