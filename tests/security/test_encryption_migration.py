"""Issue 10, finding 13 (and 3, 6): revision 0006 encrypts rows already stored in plaintext.

Rows are planted with raw SQL the way older revisions stored them: check-ins, goals and an agreement
written under revision 0002 (before check-in text was encrypted), tags, topics, life stage, match
reasons, milestones and break-glass reasons as plain JSON and text. After the upgrade the file holds
none of it, the models read it all back, and the audit chain still verifies; the downgrade gives the
columns back in plaintext. Without the data key a database holding rows is refused and left as it was.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.audit.log import GENESIS, AuditLog, entry_hash
from bot.checkins.models import CheckIn, Goal, PairAgreement
from bot.db import migrate
from bot.db.crypto import Keyring, attach_keyring, new_key
from bot.db.engine import create_engine, create_session_factory
from bot.pairing.models import MemberProfile, Pair

BEFORE = "0006"  # the audit anchor, the revision before 0007 (encrypt identity)
NOTE = "I relapsed this week"
PROGRESS = "went to two meetings"
OBJECTIVE = "tell my family"
MILESTONES = ["tell my therapist about my HIV status", "call the clinic"]
AGREED = "talk about coming out at work"
TAGS = ["LGBTQ+", "trans"]
TOPICS = ["coming out"]
STAGE = "veteran-transition"
REASONS = ["both chose LGBTQ+ and trans", "you share: coming out"]
BREAK_GLASS = "reported suicidal thoughts"
AT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
PLAINTEXT = (NOTE, PROGRESS, OBJECTIVE, *MILESTONES, AGREED, *TAGS, *TOPICS, STAGE, *REASONS, BREAK_GLASS)


def _plant_0002(path: Path) -> None:
    """A pair, its agreement, a check-in and a goal, as revision 0002 stored them (plaintext)."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO pairs (id, guild_id, status, space_name, score, reasons, created_by, created_at) "
            "VALUES (1, 1, 'active', 'pair-1', 5.0, ?, 'matcher', '2026-01-01 00:00:00')",
            (json.dumps(REASONS),),
        )
        conn.execute(
            "INSERT INTO pair_agreements (id, pair_id, objectives, timeline, frequency_text, boundaries, "
            "updated_by, updated_at) VALUES (1, 1, ?, 'a year', 'weekly', '', 10, '2026-01-01 00:00:00')",
            (AGREED,),
        )
        conn.execute(
            "INSERT INTO checkins (id, guild_id, pair_id, user_id, mood, progress, note, share_note, "
            "wants_support, created_at) VALUES (1, 1, 1, 10, 2, ?, ?, 0, 0, '2026-01-02 00:00:00')",
            (PROGRESS, NOTE),
        )
        conn.execute(
            "INSERT INTO goals (id, guild_id, user_id, pair_id, objective, milestones, percent, progress_note, "
            "status, created_at, updated_at) VALUES (1, 1, 10, 1, ?, ?, 0, '', 'open', "
            "'2026-01-02 00:00:00', '2026-01-02 00:00:00')",
            (OBJECTIVE, json.dumps(MILESTONES)),
        )
    conn.close()


def _plant_before_0006(path: Path, keyring: Keyring) -> None:
    """A profile (about me already encrypted by 0003) and a break-glass audit entry, as 0004 stores them."""
    fields = {
        "guild_id": 1,
        "at": AT,
        "actor_id": 42,
        "action": "access",
        "pair_id": 1,
        "member_ids": [10, 11],
        "case_id": None,
        "detail": "30 minutes",
        "reason": BREAK_GLASS,
    }
    digest = entry_hash(GENESIS, **fields)  # type: ignore[arg-type]
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO member_profiles (id, guild_id, user_id, role, topics, timezone, languages, tags, "
            "life_stage, about, capacity, opted_in, match_priority, dms_closed, created_at, updated_at) VALUES "
            "(1, 1, 10, 'peer', ?, 'UTC', '[\"English\"]', ?, ?, ?, 1, 1, 0, 0, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            (json.dumps(TOPICS), json.dumps(TAGS), STAGE, keyring.encrypt("about me")),
        )
        conn.execute(
            "INSERT INTO audit_log (id, guild_id, at, actor_id, action, pair_id, member_ids, case_id, detail, "
            "reason, prev_hash, hash) VALUES (1, 1, '2026-01-05 10:00:00.000000', 42, 'access', 1, '[10, 11]', "
            "NULL, '30 minutes', ?, ?, ?)",
            (BREAK_GLASS, GENESIS, digest),
        )
    conn.close()


def _found(path: Path, needles: tuple[str, ...]) -> list[str]:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    blob = path.read_bytes()
    return [n for n in needles if n.encode() in blob]


def _raw(path: Path, sql: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        values = [row[0] for row in conn.execute(sql)]
    conn.close()
    return values


async def _planted_database(tmp_path: Path, keyring: Keyring) -> tuple[AsyncEngine, Path]:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    attach_keyring(engine, keyring)
    await migrate.upgrade(engine, "0002")
    _plant_0002(path)
    await migrate.upgrade(engine, BEFORE)
    _plant_before_0006(path, keyring)
    assert sorted(_found(path, PLAINTEXT)) == sorted(PLAINTEXT)  # the planted rows really are plaintext
    return engine, path


async def test_upgrade_encrypts_every_plaintext_row_and_downgrade_decrypts(tmp_path: Path) -> None:
    keyring = Keyring(new_key())
    engine, path = await _planted_database(tmp_path, keyring)
    try:
        await migrate.upgrade(engine)
        assert _found(path, PLAINTEXT) == []
        sessions = create_session_factory(engine)
        async with sessions() as session:
            profile = await session.scalar(select(MemberProfile))
            assert profile is not None
            assert (profile.tags, profile.topics, profile.life_stage, profile.about) == (
                TAGS,
                TOPICS,
                STAGE,
                "about me",
            )
            assert (await session.scalar(select(Pair.reasons))) == REASONS
            checkin = await session.scalar(select(CheckIn))
            assert checkin is not None and (checkin.note, checkin.progress) == (NOTE, PROGRESS)
            goal = await session.scalar(select(Goal))
            assert goal is not None and (goal.objective, goal.milestones) == (OBJECTIVE, MILESTONES)
            assert (await session.scalar(select(PairAgreement.objectives))) == AGREED
        log = AuditLog(sessions)
        assert (await log.verify()).intact  # the chain hashes the plaintext reason, as before
        assert [e.reason for e in await log.recent(1)] == [BREAK_GLASS]
        with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE audit_log SET action = 'edited' WHERE id = 1")  # still append-only
        conn.close()

        await migrate.downgrade(engine, BEFORE)
        assert json.loads(_raw(path, "SELECT tags FROM member_profiles")[0]) == TAGS
        assert json.loads(_raw(path, "SELECT topics FROM member_profiles")[0]) == TOPICS
        assert _raw(path, "SELECT life_stage FROM member_profiles") == [STAGE]
        assert json.loads(_raw(path, "SELECT reasons FROM pairs")[0]) == REASONS
        assert json.loads(_raw(path, "SELECT milestones FROM goals")[0]) == MILESTONES
        assert _raw(path, "SELECT reason FROM audit_log") == [BREAK_GLASS]
        # check-in text stays encrypted: the models before 0006 read it encrypted
        assert keyring.decrypt(_raw(path, "SELECT note FROM checkins")[0]) == NOTE
        with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM audit_log WHERE id = 1")
        conn.close()

        await migrate.upgrade(engine)  # and up again: nothing encrypted twice
        async with sessions() as session:
            assert (await session.scalar(select(CheckIn.note))) == NOTE
            assert (await session.scalar(select(MemberProfile.tags))) == TAGS
        assert (await AuditLog(sessions).verify()).intact
    finally:
        await engine.dispose()


async def test_without_the_data_key_rows_are_refused_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TANDEM_DATA_KEY", raising=False)
    keyring = Keyring(new_key())
    engine, path = await _planted_database(tmp_path, keyring)
    await engine.dispose()
    bare = create_engine(f"sqlite+aiosqlite:///{path}")  # no key attached, none in the environment
    try:
        with pytest.raises(RuntimeError, match="TANDEM_DATA_KEY"):
            await migrate.upgrade(bare)
        assert await migrate.current_revision(bare) == BEFORE
        assert json.loads(_raw(path, "SELECT tags FROM member_profiles")[0]) == TAGS
    finally:
        await bare.dispose()


async def test_a_bare_alembic_run_takes_the_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    engine, path = await _planted_database(tmp_path, Keyring(key))
    await engine.dispose()
    monkeypatch.setenv("TANDEM_DATA_KEY", key)
    bare = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(bare)
        assert _found(path, PLAINTEXT) == []
        assert Keyring(key).decrypt(_raw(path, "SELECT note FROM checkins")[0]) == NOTE
    finally:
        await bare.dispose()
