"""Revision 0006 (audit anchor): entries written before it keep verifying (hash version 1), their digests
are computed, an erased old reason keeps the chain verifiable, and downgrade restores the strict log."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.audit import AuditAction, AuditAnchor, AuditLog, CheckpointKey
from bot.audit.chain import GENESIS, entry_hash, reason_digest
from bot.db import migrate
from bot.db.crypto import Keyring, attach_keyring, new_key
from bot.db.engine import create_engine, create_session_factory
from tests.audit.verify_cli import tandem, verify_audit

BEFORE = "0005"  # the revision just before the audit anchor (0006)


def _old_entries(path: Path, reasons: list[str]) -> None:
    """Entries as the bot wrote them before 0007: the hash covers the reason itself."""
    prev = GENESIS
    with sqlite3.connect(path) as conn:
        for i, reason in enumerate(reasons, start=1):
            at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
            fields = {"guild_id": 1, "at": at, "actor_id": 42, "action": "unpair", "pair_id": i, "member_ids": [7],
                      "case_id": None, "detail": ""}  # fmt: skip
            digest = entry_hash(prev, reason=reason, **fields)  # type: ignore[arg-type]
            conn.execute(
                "INSERT INTO audit_log (guild_id, at, actor_id, action, pair_id, member_ids, case_id, detail, reason, "
                "prev_hash, hash) VALUES (1, ?, 42, 'unpair', ?, '[7]', NULL, '', ?, ?, ?)",
                (at.isoformat(sep=" "), i, reason, prev, digest),
            )
            prev = digest


async def test_old_entries_keep_verifying_and_downgrade_restores_the_strict_log(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    data_key = new_key()
    attach_keyring(engine, Keyring(data_key))
    try:
        await migrate.upgrade(engine, BEFORE)
        _old_entries(path, ["asked by the member", "", "reported suicidal thoughts"])
        log = AuditLog(create_session_factory(engine), key=CheckpointKey(data_key))
        with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit_log SET reason = '' WHERE id = 3")  # before 0007 nothing can be erased

        await migrate.upgrade(engine)
        keyring = Keyring(data_key)
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT hash_version, reason, reason_salt, reason_digest FROM audit_log").fetchall()
        assert [version for version, *_ in rows] == [1, 1, 1]
        for (
            _,
            token,
            salt,
            digest,
        ) in rows:  # a salted digest, the salt (and, 0007 (encrypt identity), the reason) encrypted
            reason = keyring.decrypt(token)
            assert digest == reason_digest(reason, keyring.decrypt(salt)) != hashlib.sha256(reason.encode()).hexdigest()
        assert (await log.verify()).intact
        await log.record(1, 42, AuditAction.PAIR, reason="new")  # a v2 entry after them
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE audit_log SET reason = '', reason_salt = NULL WHERE id IN (3, 4)")  # erasure
        check = await log.verify()
        assert check.intact and check.entries == 4 and check.checkpoints == 1

        await migrate.downgrade(engine, BEFORE)
        with sqlite3.connect(path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert "audit_checkpoints" not in tables
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute("UPDATE audit_log SET reason = 'x' WHERE id = 1")
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute("DELETE FROM audit_log WHERE id = 1")
    finally:
        await engine.dispose()


async def test_checkpoints_verify_after_a_key_rotation(tmp_path: Path) -> None:
    """The checkpoints' MAC key is derived from the data key: `rotate-key` signs them again under the new one."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'rot.db'}"
    old, new = new_key(), new_key()
    assert tandem(url, "migrate", TANDEM_DATA_KEY=old).returncode == 0
    engine = create_engine(url)
    attach_keyring(engine, Keyring(old))
    sessions = create_session_factory(engine)
    try:
        await log_entries(AuditLog(sessions, key=CheckpointKey(old)))
        anchor = AuditAnchor(sessions, CheckpointKey(old), lambda: datetime(2026, 1, 2, tzinfo=UTC), _none, _never)
        await anchor.daily()
    finally:
        await engine.dispose()
    assert tandem(url, "rotate-key", TANDEM_DATA_KEY=new, TANDEM_OLD_DATA_KEYS=old).returncode == 0
    result = verify_audit(url, new)
    assert result.returncode == 0, result.stderr
    assert "intact: 2 entries" in result.stdout and "2 checkpoint(s) match" in result.stdout


async def log_entries(log: AuditLog) -> None:
    for i in range(2):
        await log.record(1, 42, AuditAction.PAIR, pair_id=i, reason="asked")


async def _none() -> list[tuple[int, int]]:
    return []


async def _never(channel_id: int, text: str) -> None:
    raise AssertionError(text)
