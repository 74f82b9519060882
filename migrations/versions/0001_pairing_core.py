"""pairing core: guild settings, member profiles, pairs and their members, history, blocks.

The first schema. A peer or mentee is in at most one open pair and a mentor in at most
`capacity` pairs (a partial unique index on pair_members slots). Pairs start "pending" while
their private space is being opened, so a crash in between leaves a row that start-up
reconciliation rolls back, never a half-made pair.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:53:05.539123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("blocker_id", sa.BigInteger(), nullable=False),
        sa.Column("blocked_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("blocker_id <> blocked_id", name=op.f("ck_blocks_not_self")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
        sa.UniqueConstraint(
            "guild_id", "blocker_id", "blocked_id", name=op.f("uq_blocks_guild_id_blocker_id_blocked_id")
        ),
    )
    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("category_id", sa.BigInteger(), nullable=True),
        sa.Column("overflow_category_ids", sa.JSON(), nullable=False),
        sa.Column("hub_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("moderator_role_id", sa.BigInteger(), nullable=True),
        sa.Column("log_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("cooldown_days", sa.Integer(), nullable=False),
        sa.Column("odd_one_out", sa.String(length=16), nullable=False),
        sa.Column("match_weights", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("odd_one_out IN ('trio', 'waitlist')", name=op.f("ck_guild_settings_odd_one_out")),
        sa.CheckConstraint(
            "cooldown_days >= 0 AND cooldown_days <= 3650", name=op.f("ck_guild_settings_cooldown_days")
        ),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "member_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("life_stage", sa.String(length=32), nullable=True),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("match_priority", sa.Boolean(), nullable=False),
        sa.Column("dm_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("dms_closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('peer', 'mentor', 'mentee')", name=op.f("ck_member_profiles_role")),
        sa.CheckConstraint("capacity >= 1 AND capacity <= 5", name=op.f("ck_member_profiles_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_profiles")),
        sa.UniqueConstraint("guild_id", "user_id", name=op.f("uq_member_profiles_guild_id_user_id")),
    )
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.create_index("ix_member_profiles_waiting", ["guild_id", "waiting_since"], unique=False)

    op.create_table(
        "pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("space_name", sa.String(length=32), nullable=False),
        sa.Column("space_id", sa.BigInteger(), nullable=True),
        sa.Column("space_kind", sa.String(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "space_kind IS NULL OR space_kind IN ('channel', 'thread')", name=op.f("ck_pairs_space_kind")
        ),
        sa.CheckConstraint("status IN ('pending', 'active', 'paused', 'ended')", name=op.f("ck_pairs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairs")),
        sa.UniqueConstraint("space_name", name=op.f("uq_pairs_space_name")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index("ix_pairs_guild_status", ["guild_id", "status"], unique=False)

    op.create_table(
        "pair_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_low", sa.BigInteger(), nullable=False),
        sa.Column("user_high", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("user_low < user_high", name=op.f("ck_pair_history_ordered")),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_pair_history_pair_id_pairs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_history")),
    )
    with op.batch_alter_table("pair_history", schema=None) as batch_op:
        batch_op.create_index("ix_pair_history_lookup", ["guild_id", "user_low", "user_high"], unique=False)

    op.create_table(
        "pair_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_pair_members_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.CheckConstraint("slot >= 0 AND slot < 5", name=op.f("ck_pair_members_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_members")),
        sa.UniqueConstraint("pair_id", "user_id", name=op.f("uq_pair_members_pair_id_user_id")),
    )
    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.create_index(
            "uq_pair_members_one_open_pair",
            ["guild_id", "user_id", "slot"],
            unique=True,
            sqlite_where=sa.text("is_open = 1"),
            postgresql_where=sa.text("is_open"),
        )


def downgrade() -> None:
    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pair_members_one_open_pair",
            sqlite_where=sa.text("is_open = 1"),
            postgresql_where=sa.text("is_open"),
        )

    op.drop_table("pair_members")
    with op.batch_alter_table("pair_history", schema=None) as batch_op:
        batch_op.drop_index("ix_pair_history_lookup")

    op.drop_table("pair_history")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_pairs_guild_status")

    op.drop_table("pairs")
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_member_profiles_waiting")

    op.drop_table("member_profiles")
    op.drop_table("guild_settings")
    op.drop_table("blocks")
