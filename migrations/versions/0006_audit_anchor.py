"""the audit chain survives erasure and is anchored by authenticated checkpoints.

Issue 10 (finding 5). ``audit_log`` gains ``reason_digest`` (SHA-256 of a random salt and the reason),
``reason_salt`` (encrypted; erased with the reason) and ``hash_version``: entries already written keep
version 1 (their hash covers the reason itself, so they keep verifying), their salt and digest are made
here (this needs the data key when there are entries); new entries are version 2 (the hash covers the
digest, so erasing the reason keeps the chain verifiable). ``audit_checkpoints`` holds the chain's
length and head, authenticated with a key derived from the data key.

On SQLite the append-only UPDATE trigger is narrowed to erasure: a reason may change only as its salt
is dropped (``reason_salt`` set to NULL), and the salt alone may change (a key rotation re-encrypting
it); every other column, digest and hashes included, stays refused. DELETE stays refused. Downgrade
restores the strict trigger and drops the checkpoints; entries written after this revision (version 2)
no longer verify with the older code, which knows only version 1.

The reason may already be a Fernet token when this runs (an encrypted column): it is decrypted with the
data key for its digest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00.000000
"""

import hashlib
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import InvalidToken

from bot.db.crypto import has_keyring, keyring_of

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# every column but reason and reason_salt: an UPDATE that changes any of them is refused
_FIXED = (
    "id", "guild_id", "at", "actor_id", "action", "pair_id", "member_ids", "case_id", "detail", "prev_hash",
    "hash", "reason_digest", "hash_version",
)  # fmt: skip


def _plain(bind: sa.engine.Connection, stored: str) -> str:
    if stored and has_keyring(bind.dialect):
        try:
            return keyring_of(bind.dialect).decrypt(stored)
        except (InvalidToken, ValueError):
            pass
    return stored


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.create_index("ix_audit_checkpoints_kind", ["kind", "id"], unique=False)
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reason_salt", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("hash_version", sa.Integer(), server_default="1", nullable=False))
    audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("reason", sa.Text),
                     sa.column("reason_digest", sa.String), sa.column("reason_salt", sa.Text))  # fmt: skip
    rows = bind.execute(sa.select(audit.c.id, audit.c.reason)).all()
    if rows and not has_keyring(bind.dialect):
        raise RuntimeError("migrating the audit log needs the data key: set TANDEM_DATA_KEY and run again")
    for row_id, reason in rows:
        salt = secrets.token_hex(16)
        digest = hashlib.sha256(bytes.fromhex(salt) + _plain(bind, reason or "").encode("utf-8")).hexdigest()
        values = {"reason_digest": digest, "reason_salt": keyring_of(bind.dialect).encrypt(salt)}
        bind.execute(sa.update(audit).where(audit.c.id == row_id).values(**values))
    if sqlite:
        changed = " OR ".join([*(f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED),
                               "(NEW.reason IS NOT OLD.reason AND NEW.reason_salt IS NOT NULL)"])  # fmt: skip
        op.execute(
            f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN {changed} "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a reason can only be erased'); END"
        )


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("hash_version")
        batch_op.drop_column("reason_salt")
        batch_op.drop_column("reason_digest")
    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_checkpoints_kind")
    op.drop_table("audit_checkpoints")
