"""Encryption at rest: members' words are Fernet tokens on disk, and key rotation never loses a row."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app.tables import metadata
from bot.db import migrate
from bot.db.crypto import (
    Keyring,
    attach_keyring,
    count_not_under_primary,
    encrypted_columns,
    new_key,
    rotate_all,
)
from bot.db.engine import create_engine, create_session_factory
from bot.db.keycheck import open_database
from bot.pairing.models import MemberProfile
from bot.safety.models import Report

ROOT = Path(__file__).resolve().parents[2]
SECRET = "I came out to my family last week"


def _raw_abouts(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT about FROM member_profiles ORDER BY id")]


async def _add_profiles(sessions: async_sessionmaker[AsyncSession], n: int, start: int = 0) -> None:
    async with sessions.begin() as session:
        for i in range(start, start + n):
            session.add(MemberProfile(guild_id=1, user_id=1000 + i, role="peer", timezone="UTC", about=f"{SECRET} {i}"))


async def test_about_is_stored_encrypted_and_read_back(
    sessions: async_sessionmaker[AsyncSession], database_url: str, data_key: str
) -> None:
    await _add_profiles(sessions, 1)
    raw = _raw_abouts(Path(database_url.split("///", 1)[1]))
    assert SECRET not in raw[0]
    assert Fernet(data_key.encode()).decrypt(raw[0].encode()).decode() == f"{SECRET} 0"
    async with sessions() as session:
        assert (await session.scalar(select(MemberProfile.about))) == f"{SECRET} 0"


def test_a_keyring_never_shows_its_key() -> None:
    key = new_key()
    assert key not in repr(Keyring(key))


async def test_migration_encrypts_existing_plaintext_and_downgrade_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    keyring = Keyring(new_key())
    attach_keyring(engine, keyring)
    try:
        await migrate.upgrade(engine, "0001")
        with sqlite3.connect(path) as conn:  # a database written before encryption existed
            conn.execute(
                "INSERT INTO member_profiles (guild_id, user_id, role, topics, timezone, languages, tags, about, "
                "capacity, opted_in, match_priority, dms_closed, created_at, updated_at) VALUES "
                "(1, 2, 'peer', '[]', 'UTC', '[]', '[]', ?, 1, 1, 0, 0, '2026-01-01', '2026-01-01')",
                (SECRET,),
            )
        await migrate.upgrade(engine)
        assert SECRET not in _raw_abouts(path)[0]
        async with create_session_factory(engine)() as session:
            assert await session.scalar(select(MemberProfile.about)) == SECRET
        await migrate.downgrade(engine, "0001")
        assert _raw_abouts(path) == [SECRET]
    finally:
        await engine.dispose()


async def test_rotation_crashing_half_way_while_the_bot_writes_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'rotate.db'}"
    old, new = new_key(), new_key()
    engine = await open_database(url, Keyring(old))
    await _add_profiles(create_session_factory(engine), 25)
    await engine.dispose()

    # The bot restarts with the new key first and the old one still accepted, and keeps writing.
    during = Keyring(new, [old])
    engine = await open_database(url, during)
    sessions = create_session_factory(engine)
    columns = encrypted_columns(metadata)

    class Crash(Exception):
        pass

    def crash_after_first_batch(batch: int) -> None:
        if batch == 1:
            raise Crash

    before = await count_not_under_primary(engine, during, columns)  # about, topics and tags of 25 profiles
    writer = asyncio.create_task(_add_profiles(sessions, 5, start=100))
    with pytest.raises(Crash):
        await rotate_all(engine, during, columns, batch_size=10, after_batch=crash_after_first_batch)
    await writer
    assert 0 < await count_not_under_primary(engine, during, columns) < before
    async with sessions() as session:  # half-rotated: every row still reads
        assert len((await session.scalars(select(MemberProfile.about))).all()) == 30

    report = await rotate_all(engine, during, columns, batch_size=10)  # run again after the crash
    assert report.unreadable == 0
    assert await count_not_under_primary(engine, during, columns) == 0
    await engine.dispose()

    # Afterwards the new key alone opens every row, and the old key alone opens none.
    engine = await open_database(url, Keyring(new))
    async with create_session_factory(engine)() as session:
        abouts = sorted((await session.scalars(select(MemberProfile.about))).all())
    await engine.dispose()
    assert len(abouts) == 30
    assert all(a.startswith(SECRET) for a in abouts)
    for token in _raw_abouts(tmp_path / "rotate.db"):
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token.encode())


def test_every_encrypted_column_is_found() -> None:
    found = {(c.table, c.column) for c in encrypted_columns(metadata)}
    assert {("member_profiles", "about"), ("reports", "text"), ("reports", "resolution_note")} <= found
    assert Report.__tablename__ == "reports"


# ----- the command line ---------------------------------------------------------------------------


def _tandem(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE", "TANDEM_", "LOG_LEVEL"))}
    base |= {"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_refuses_to_start_without_a_key_and_writes_nothing(tmp_path: Path) -> None:
    result = _tandem(tmp_path, "run", DISCORD_TOKEN="abc")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TANDEM_DATA_KEY is not set" in result.stderr
    assert not (tmp_path / "cli.db").exists()
    malformed = _tandem(tmp_path, "run", DISCORD_TOKEN="abc", TANDEM_DATA_KEY="hunter2")
    assert malformed.returncode == 2
    assert malformed.stderr.strip().count("\n") == 0
    assert "TANDEM_DATA_KEY is not a valid key" in malformed.stderr
    assert "hunter2" not in malformed.stderr
    assert not (tmp_path / "cli.db").exists()


def test_cli_refuses_a_wrong_key_before_writing_anything(tmp_path: Path) -> None:
    right, wrong = new_key(), new_key()
    assert _tandem(tmp_path, "migrate", TANDEM_DATA_KEY=right).returncode == 0
    db = tmp_path / "cli.db"
    assert (db.stat().st_mode & 0o777) == 0o600  # created readable by its owner only
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for command in ("run", "migrate", "rotate-key"):
        result = _tandem(tmp_path, command, DISCORD_TOKEN="abc", TANDEM_DATA_KEY=wrong)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().count("\n") == 0
        assert "TANDEM_DATA_KEY does not open this database" in result.stderr
        assert wrong not in result.stderr + result.stdout
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_cli_new_key_and_rotate_key(tmp_path: Path) -> None:
    made = _tandem(tmp_path, "new-key")
    assert made.returncode == 0
    old = made.stdout.strip()
    Fernet(old.encode())  # a valid key
    new = new_key()
    assert _tandem(tmp_path, "migrate", TANDEM_DATA_KEY=old).returncode == 0
    half = _tandem(tmp_path, "rotate-key", TANDEM_DATA_KEY=new, TANDEM_OLD_DATA_KEYS=old)
    assert half.returncode == 0, half.stderr
    assert "Re-encrypted 1 value(s)" in half.stdout  # the key check
    again = _tandem(tmp_path, "rotate-key", TANDEM_DATA_KEY=new)
    assert again.returncode == 0, again.stderr
    assert "Re-encrypted 0 value(s); 1 were already under the current key" in again.stdout


async def test_open_database_attaches_the_key(tmp_path: Path) -> None:
    engine: AsyncEngine = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", Keyring(new_key()))
    try:
        await _add_profiles(create_session_factory(engine), 1)
    finally:
        await engine.dispose()
