"""encrypt what reveals who a member is or what they said (issue 10, findings 3, 6 and 13).

Why: tags, topics and life stage say who a member is ("LGBTQ+", "veteran", "in recovery"); match
reasons repeat them; milestones and break-glass reasons say what happened to them. This revision
- turns ``member_profiles.tags``, ``topics`` and ``life_stage``, ``pairs.reasons`` and
  ``goals.milestones`` into text columns and stores each value as one Fernet token under the data key
  (lists as the token of their JSON text); ``audit_log.reason`` too (the audit hash covers the plaintext,
  so ``tandem verify-audit`` still holds; the append-only triggers are lifted for this transaction only);
- encrypts what revision 0002 stored in plaintext before check-ins, goals and agreements were encrypted
  (a value the data key already opens is left as it is);
- downgrading decrypts the columns this revision encrypted and gives them back their old types; the
  check-in, goal and agreement text stays encrypted (revision 0005's models read it that way).

The data key comes from the engine (``tandem migrate``) or, for a bare ``alembic upgrade``, from
TANDEM_DATA_KEY (and TANDEM_OLD_DATA_KEYS) in the environment. Without it, a database holding rows is
refused with a clear message and nothing is changed.

Revision ID: 0007
Revises: 0006 (the audit anchor)
Create Date: 2026-12-02 09:00:00.000000
"""

import json
import os
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import InvalidToken

from bot.db.crypto import Keyring, has_keyring, keyring_of

revision: str = "0007"
down_revision: str | None = "0006"  # the audit anchor
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, type before this revision); the lists were JSON, life stage a short string
NEWLY_ENCRYPTED: tuple[tuple[str, str, sa.types.TypeEngine[object]], ...] = (
    ("member_profiles", "topics", sa.JSON()),
    ("member_profiles", "tags", sa.JSON()),
    ("member_profiles", "life_stage", sa.String(length=32)),
    ("pairs", "reasons", sa.JSON()),
    ("goals", "milestones", sa.JSON()),
    ("audit_log", "reason", sa.Text()),
)
# typed encrypted since revision 0002/0003, but rows written under 0002 were stored in plaintext
WRITTEN_PLAIN_BEFORE_0003: tuple[tuple[str, str], ...] = (
    ("checkins", "progress"),
    ("checkins", "note"),
    ("goals", "objective"),
    ("goals", "progress_note"),
    ("pair_agreements", "objectives"),
    ("pair_agreements", "timeline"),
    ("pair_agreements", "boundaries"),
)
_NO_KEY = (
    "revision 0006 encrypts member data and needs the data key: set TANDEM_DATA_KEY "
    "(the key the bot runs with) and run the migration again; nothing was changed."
)


def _keyring(bind: sa.Connection) -> Keyring | None:
    if has_keyring(bind.dialect):
        return keyring_of(bind.dialect)
    primary = os.environ.get("TANDEM_DATA_KEY", "").strip()
    if not primary:
        return None
    older = [k.strip() for k in os.environ.get("TANDEM_OLD_DATA_KEYS", "").split(",") if k.strip()]
    return Keyring(primary, older)


def _opens(keyring: Keyring, value: str) -> bool:
    try:
        keyring.decrypt(value)
    except (InvalidToken, UnicodeEncodeError, ValueError):
        return False
    return True


def _stored_text(value: object) -> str:
    """What the row holds, as text: JSON columns may come back already parsed on some drivers."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rewrite(bind: sa.Connection, table: str, column: str, change: Callable[[str], str | None]) -> None:
    raw = sa.table(table, sa.column("id", sa.Integer), sa.column(column, sa.Text))
    rows = bind.execute(sa.select(raw.c.id, raw.c[column]).where(raw.c[column].is_not(None))).all()
    for row_id, value in rows:
        fresh = change(_stored_text(value))
        if fresh is not None:
            bind.execute(sa.update(raw).where(raw.c.id == row_id).values({column: fresh}))


def _has_rows(bind: sa.Connection) -> bool:
    tables = {t for t, _c, _old in NEWLY_ENCRYPTED} | {t for t, _c in WRITTEN_PLAIN_BEFORE_0003}
    return any(bind.execute(sa.select(sa.literal(1)).select_from(sa.table(t)).limit(1)).first() for t in sorted(tables))


def _audit_triggers_off(bind: sa.Connection) -> list[str]:
    if bind.dialect.name != "sqlite":
        return []
    found = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
    ).all()
    for name, _sql in found:
        bind.execute(sa.text(f'DROP TRIGGER "{name}"'))
    return [sql for _name, sql in found]


def _retype(table: str, column: str, new: sa.types.TypeEngine[object], old: sa.types.TypeEngine[object]) -> None:
    if isinstance(new, sa.Text) and isinstance(old, sa.Text):
        return
    using = f"{column}::text" if isinstance(new, sa.Text) else f"{column}::json"
    with op.batch_alter_table(table) as batch:
        batch.alter_column(column, type_=new, existing_type=old, postgresql_using=using)


def upgrade() -> None:
    bind = op.get_bind()
    keyring = _keyring(bind)
    if keyring is None and _has_rows(bind):
        raise RuntimeError(_NO_KEY)
    for table, column, old in NEWLY_ENCRYPTED:
        _retype(table, column, sa.Text(), old)
    if keyring is None:
        return

    def encrypt(value: str) -> str | None:
        return None if _opens(keyring, value) else keyring.encrypt(value)

    lifted = _audit_triggers_off(bind)
    for table, column, _old in NEWLY_ENCRYPTED:
        _rewrite(bind, table, column, encrypt)
    for sql in lifted:
        bind.execute(sa.text(sql))
    for table, column in WRITTEN_PLAIN_BEFORE_0003:
        _rewrite(bind, table, column, encrypt)


def downgrade() -> None:
    bind = op.get_bind()
    keyring = _keyring(bind)
    if keyring is None and _has_rows(bind):
        raise RuntimeError(_NO_KEY)
    if keyring is not None:

        def decrypt(value: str) -> str | None:
            return keyring.decrypt(value) if _opens(keyring, value) else None

        lifted = _audit_triggers_off(bind)
        for table, column, _old in NEWLY_ENCRYPTED:
            _rewrite(bind, table, column, decrypt)
        for sql in lifted:
            bind.execute(sa.text(sql))
    for table, column, old in NEWLY_ENCRYPTED:
        _retype(table, column, old, sa.Text())
