"""Encryption at rest for what members write in their own words, with Fernet from ``cryptography``.

The key is handed in at start (``attach_keyring(engine, keyring)``), never read from the
configuration at import time: each engine carries its own :class:`Keyring` on its dialect, so tests
can run many databases with many keys side by side. Columns typed :class:`EncryptedText` hold Fernet
tokens (AES-128-CBC + HMAC-SHA256, with the time of encryption), never plaintext.

Rotation (``tandem rotate-key``) re-encrypts every encrypted value under the primary key, row by row
in small committed batches. Old keys stay accepted for reading until it is done, so a bot running
during the rotation, or a rotation that crashes half-way and is run again, loses nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Integer, String, Text, TypeDecorator, column, select, table, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

_DIALECT_ATTRIBUTE = "tandem_keyring"
CANARY_TEXT = "tandem-key-check"


def valid_key(value: str) -> bool:
    try:
        Fernet(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class Keyring:
    """The primary key (encrypts) and older keys (still accepted for reading during a rotation)."""

    def __init__(self, primary: str, older: Sequence[str] = ()) -> None:
        self._primary = Fernet(primary.encode("ascii"))
        self._all = MultiFernet([self._primary, *(Fernet(k.encode("ascii")) for k in older)])

    def __repr__(self) -> str:
        return "Keyring(**********)"

    def encrypt(self, plaintext: str) -> str:
        return self._primary.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._all.decrypt(token.encode("ascii")).decode("utf-8")

    def under_primary(self, token: str) -> bool:
        try:
            self._primary.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        return self._all.rotate(token.encode("ascii")).decode("ascii")


def attach_keyring(engine: AsyncEngine, keyring: Keyring) -> None:
    setattr(engine.sync_engine.dialect, _DIALECT_ATTRIBUTE, keyring)


def keyring_of(dialect: Dialect) -> Keyring:
    found: Keyring | None = getattr(dialect, _DIALECT_ATTRIBUTE, None)
    if found is None:
        raise RuntimeError("no data key is attached to this database engine (set TANDEM_DATA_KEY)")
    return found


def has_keyring(dialect: Dialect) -> bool:
    return getattr(dialect, _DIALECT_ATTRIBUTE, None) is not None


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token under the engine's keyring; read back as plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if not value:  # None, or "" left by an erasure that emptied the column in SQL
            return value
        return keyring_of(dialect).decrypt(value)


class EncryptedJSON(EncryptedText):
    """A JSON value (a list of tags, reasons, milestones) stored as one Fernet token of its JSON text.

    Nothing can filter on it in SQL: whoever needs the value reads the row and decrypts it in memory."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if not value:
            return None
        return json.loads(keyring_of(dialect).decrypt(value))


# ----- which columns are encrypted ------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    key: str  # the integer primary key column
    column: str
    append_only: bool = False  # the table refuses UPDATE (SQLite triggers): see ``rotate_all``


def encrypted_columns(metadata: Any) -> list[EncryptedColumn]:
    """Every EncryptedText column of every table, found from the models (nothing to list by hand)."""
    found = []
    for tbl in metadata.sorted_tables:
        pk = [c.name for c in tbl.primary_key.columns]
        for col in tbl.columns:
            if isinstance(col.type, EncryptedText):
                if len(pk) != 1:
                    raise RuntimeError(f"{tbl.name} needs a single-column primary key to be rotated")
                append_only = bool(tbl.info.get("append_only"))
                found.append(EncryptedColumn(tbl.name, pk[0], col.name, append_only))
    return found


# ----- rotation --------------------------------------------------------------------------------


async def _lift_update_guards(conn: AsyncConnection, spec: EncryptedColumn) -> list[str]:
    """Drop an append-only table's SQLite triggers inside this transaction; returns their SQL to put back.

    Re-encrypting under a new key changes no plaintext (the audit chain hashes the plaintext), and the
    triggers are back before the transaction commits: no other connection ever sees the table unguarded."""
    if not spec.append_only or conn.dialect.name != "sqlite":
        return []
    found = (
        await conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": spec.table}
        )
    ).all()
    for name, _sql in found:
        await conn.execute(text(f'DROP TRIGGER "{name}"'))
    return [sql for _name, sql in found]


@dataclass
class RotationReport:
    rotated: int = 0
    already_current: int = 0
    unreadable: int = 0


async def rotate_all(
    engine: AsyncEngine,
    keyring: Keyring,
    columns: Sequence[EncryptedColumn],
    *,
    batch_size: int = 200,
    after_batch: Callable[[int], None] | None = None,
) -> RotationReport:
    """Re-encrypt every value not yet under the primary key, in committed batches.

    Each update is conditional on the value it read (``WHERE id = ? AND col = old``), so a value the
    bot rewrote meanwhile (already under the primary key) is never overwritten. Safe to run again
    after a crash: values already rotated are skipped. ``after_batch`` is a test hook."""
    report = RotationReport()
    batches = 0
    for spec in columns:
        raw = table(spec.table, column(spec.key, Integer), column(spec.column, String))
        key_col, value_col = raw.c[spec.key], raw.c[spec.column]
        last = -1
        while True:
            async with engine.begin() as conn:
                rows = (
                    await conn.execute(
                        select(key_col, value_col)
                        .where(key_col > last, value_col.is_not(None))
                        .order_by(key_col)
                        .limit(batch_size)
                    )
                ).all()
                if not rows:
                    break
                fresh_values: list[tuple[int, str, str]] = []
                for row_id, token in rows:
                    last = row_id
                    if keyring.under_primary(token):
                        report.already_current += 1
                        continue
                    try:
                        fresh_values.append((row_id, token, keyring.rotate(token)))
                    except InvalidToken:
                        report.unreadable += 1
                lifted = await _lift_update_guards(conn, spec) if fresh_values else []
                for row_id, token, fresh in fresh_values:
                    await conn.execute(
                        update(raw).where(key_col == row_id, value_col == token).values({spec.column: fresh})
                    )
                    report.rotated += 1
                for trigger_sql in lifted:
                    await conn.execute(text(trigger_sql))
            batches += 1
            log.info("key rotation: %s.%s batch %d committed", spec.table, spec.column, batches)
            if after_batch is not None:
                after_batch(batches)
    return report


async def count_not_under_primary(engine: AsyncEngine, keyring: Keyring, columns: Sequence[EncryptedColumn]) -> int:
    """How many stored values the primary key alone cannot open (0 once a rotation is complete)."""
    missing = 0
    async with engine.connect() as conn:
        for spec in columns:
            raw = table(spec.table, column(spec.key, Integer), column(spec.column, String))
            result = await conn.execute(select(raw.c[spec.column]).where(raw.c[spec.column].is_not(None)))
            missing += sum(1 for (token,) in result.all() if not keyring.under_primary(token))
    return missing
