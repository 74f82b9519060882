"""Shared fixtures: real SQLite files in a temp dir, migrated with the real Alembic revisions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.crypto import Keyring, attach_keyring, new_key
from bot.db.engine import create_engine, create_session_factory


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'tandem.db'}"


@pytest.fixture
def data_key() -> str:
    """A fresh data key for each test."""
    return new_key()


@pytest.fixture
def keyring(data_key: str) -> Keyring:
    return Keyring(data_key)


@pytest.fixture
async def engine(database_url: str, keyring: Keyring) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url)
    attach_keyring(eng, keyring)
    await migrate.upgrade(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)
