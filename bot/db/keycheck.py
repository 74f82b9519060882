"""Opening the database with the data key: refuse a wrong key before anything is written, then migrate."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import Integer, Text, column, inspect, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import ConfigError
from bot.db import migrate
from bot.db.crypto import CANARY_TEXT, Keyring, attach_keyring
from bot.db.engine import create_engine
from bot.db.key_check import KeyCheck

WRONG_KEY = (
    "TANDEM_DATA_KEY does not open this database: it was encrypted with another key; set the key it was "
    "made with (or, while rotating, the old one in TANDEM_OLD_DATA_KEYS)."
)


def _stored_check(connection: Connection) -> str | None:
    if not inspect(connection).has_table(KeyCheck.__tablename__):
        return None
    raw = _raw()
    token: str | None = connection.execute(select(raw.c.token).where(raw.c.id == 1)).scalar_one_or_none()
    return token


def _raw() -> Any:
    """The key check as stored (the token itself, not decrypted)."""
    return table(KeyCheck.__tablename__, column("id", Integer), column("token", Text))


async def check_key(engine: AsyncEngine, keyring: Keyring) -> None:
    """Read-only: raise ConfigError if the database holds data under a key the keyring lacks."""
    async with engine.connect() as connection:
        token = await connection.run_sync(_stored_check)
    if token is None:
        return
    try:
        if keyring.decrypt(token) != CANARY_TEXT:
            raise ConfigError(WRONG_KEY)
    except InvalidToken:
        raise ConfigError(WRONG_KEY) from None


async def ensure_key_check(engine: AsyncEngine, keyring: Keyring) -> None:
    async with engine.begin() as connection:
        if await connection.run_sync(_stored_check) is None:
            await connection.execute(_raw().insert().values(id=1, token=keyring.encrypt(CANARY_TEXT)))


async def open_database(database_url: str, keyring: Keyring, *, upgrade: bool = True) -> AsyncEngine:
    """An engine with the keyring attached, the key checked, and (by default) migrations applied."""
    engine = create_engine(database_url)
    attach_keyring(engine, keyring)
    try:
        await check_key(engine, keyring)
        if upgrade:
            await migrate.upgrade(engine)
            await ensure_key_check(engine, keyring)
    except BaseException:
        await engine.dispose()
        raise
    return engine
