"""Issue 10, finding 6: audit reasons are encrypted, and `tandem rotate-key` still re-encrypts them.

The audit table refuses UPDATE (SQLite triggers); rotation lifts the triggers inside its own
transaction only, the chain (which hashes the plaintext) still verifies, and the table is append-only
again afterwards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from bot.app.tables import metadata
from bot.audit.log import AuditLog
from bot.db.crypto import Keyring, count_not_under_primary, encrypted_columns, new_key, rotate_all
from bot.db.engine import create_session_factory
from bot.db.keycheck import open_database

REASON = "reported suicidal thoughts"


def _reasons(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        found = [row[0] for row in conn.execute("SELECT reason FROM audit_log ORDER BY id")]
    conn.close()
    return found


async def test_rotation_re_encrypts_audit_reasons_and_keeps_the_log_append_only(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    url = f"sqlite+aiosqlite:///{path}"
    old, new = new_key(), new_key()
    engine = await open_database(url, Keyring(old))
    log = AuditLog(create_session_factory(engine))
    for i in range(7):
        await log.record(1, 42, "access", pair_id=i, reason=f"{REASON} {i}")
    await engine.dispose()
    assert all(REASON not in r and Fernet(old.encode()).decrypt(r.encode()) for r in _reasons(path))

    during = Keyring(new, [old])
    engine = await open_database(url, during)
    columns = encrypted_columns(metadata)
    assert ("reason", True) in [(c.column, c.append_only) for c in columns if c.table == "audit_log"]
    report = await rotate_all(engine, during, columns, batch_size=3)
    assert (report.rotated, report.unreadable) == (15, 0)  # seven reasons, their salts and the key check
    assert await count_not_under_primary(engine, during, columns) == 0
    await engine.dispose()

    engine = await open_database(url, Keyring(new))
    log = AuditLog(create_session_factory(engine))
    try:
        assert (await log.verify()).intact
        assert sorted(e.reason for e in await log.recent(1)) == sorted(f"{REASON} {i}" for i in range(7))
    finally:
        await engine.dispose()
    for token in _reasons(path):
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token.encode())
    with sqlite3.connect(path) as conn:
        for statement in ("UPDATE audit_log SET action = 'edited'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(statement)
    conn.close()
