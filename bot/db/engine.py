"""The async engine and session factory. SQLite runs in WAL mode with synchronous=FULL and secure_delete.

A busy database never costs an interaction its acknowledgement: handlers acknowledge before they touch
it, SQLite waits at most ``BUSY_TIMEOUT_MS`` (shorter than Discord's 3-second window) for a lock, and a
unit of work that is safe to run again is retried a bounded number of times (``retry_when_locked``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 2_000  # below Discord's 3-second acknowledgement window
LOCK_ATTEMPTS = 3
LOCK_PAUSE_SECONDS = 0.1


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def prepare_sqlite_file(path: Path) -> None:
    """Create the folder and an empty file readable by its owner only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted or overwritten content is zeroed, not left in free pages where the file's bytes still show it.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(database_url: str) -> AsyncEngine:
    path = sqlite_path(database_url)
    if path is not None:
        prepare_sqlite_file(path)
    # hide_parameters: an error message must never carry what a member wrote into a log line.
    engine = create_async_engine(database_url, pool_pre_ping=path is None, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_locked(error: BaseException) -> bool:
    """SQLite gave up waiting for another connection's write lock (after the busy timeout)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig or error)


async def retry_when_locked(
    work: Callable[[], Awaitable[T]], attempts: int = LOCK_ATTEMPTS, pause: float = LOCK_PAUSE_SECONDS
) -> T:
    """Run a unit of work, again (at most ``attempts`` times in all) while the database stays locked.

    Only for a unit that is one transaction with no effect outside the database: a locked attempt was
    rolled back whole, so running it again cannot do anything twice."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except OperationalError as error:
            if not is_locked(error) or attempt == attempts:
                raise
            log.warning("the database was locked; trying the unit of work again (%d/%d)", attempt + 1, attempts)
            await asyncio.sleep(pause * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
