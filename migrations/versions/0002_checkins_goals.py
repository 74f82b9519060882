"""check-ins and goals: schedules, pair agreements, the delivery ledger, check-ins, goals.

Issue 4. Schedules, due prompts and reminders live in tables, so scheduler jobs can be derived from
them at every start. The ``deliveries`` ledger has a unique key (pair, kind, subject, member, due
time) and a unique Discord nonce per row: a prompt is recorded before it is sent and marked sent
afterwards, so a crash, a restart or a second process never loses or repeats one. Member profiles
gain their daytime hours (quiet hours lie outside them), a holiday pause and a "celebrate my goals"
switch; guild settings gain the default prompt time, the missed-check-ins threshold and the support
text. Existing rows get the defaults (09:00-21:00, celebrate on, 18:00, 3 missed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:23:04.910071
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkin_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("last_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'biweekly', 'monthly', 'weekday')", name=op.f("ck_checkin_schedules_frequency")
        ),
        sa.CheckConstraint(
            "weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name=op.f("ck_checkin_schedules_weekday")
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_checkin_schedules_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_schedules")),
        sa.UniqueConstraint("pair_id", name=op.f("uq_checkin_schedules_pair_id")),
    )
    with op.batch_alter_table("checkin_schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkin_schedules_next_due_at"), ["next_due_at"], unique=False)

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("share_note", sa.Boolean(), nullable=False),
        sa.Column("wants_support", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mood >= 1 AND mood <= 5", name=op.f("ck_checkins_mood")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_checkins_pair_id_pairs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_pair_user", ["pair_id", "user_id", "created_at"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nonce", sa.String(length=25), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=True),
        sa.Column("mention_user_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sent', 'skipped', 'failed')", name=op.f("ck_deliveries_status")),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_deliveries_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("nonce", name=op.f("uq_deliveries_nonce")),
        sa.UniqueConstraint(
            "pair_id",
            "kind",
            "subject_id",
            "user_id",
            "due_at",
            name=op.f("uq_deliveries_pair_id_kind_subject_id_user_id_due_at"),
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("progress_note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'done', 'removed')", name=op.f("ck_goals_status")),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name=op.f("ck_goals_percent")),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_goals_pair_id_pairs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index("ix_goals_owner", ["guild_id", "user_id", "status"], unique=False)

    op.create_table(
        "pair_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("timeline", sa.Text(), nullable=False),
        sa.Column("frequency_text", sa.String(length=32), nullable=False),
        sa.Column("boundaries", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_pair_agreements_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_agreements")),
        sa.UniqueConstraint("pair_id", name=op.f("uq_pair_agreements_pair_id")),
    )
    op.create_table(
        "goal_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_updates_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_updates")),
    )
    with op.batch_alter_table("goal_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_updates_goal_id"), ["goal_id"], unique=False)

    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_minute", sa.Integer(), server_default="1080", nullable=False))
        batch_op.add_column(sa.Column("quiet_after_missed", sa.Integer(), server_default="3", nullable=False))

    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("day_start", sa.Integer(), server_default="9", nullable=False))
        batch_op.add_column(sa.Column("day_end", sa.Integer(), server_default="21", nullable=False))
        batch_op.add_column(sa.Column("checkins_paused_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("celebrate_goals", sa.Boolean(), server_default=sa.text("1"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.drop_column("celebrate_goals")
        batch_op.drop_column("checkins_paused_until")
        batch_op.drop_column("day_end")
        batch_op.drop_column("day_start")

    with op.batch_alter_table("guild_settings", schema=None) as batch_op:
        batch_op.drop_column("quiet_after_missed")
        batch_op.drop_column("checkin_minute")

    with op.batch_alter_table("goal_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_updates_goal_id"))

    op.drop_table("goal_updates")
    op.drop_table("pair_agreements")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_owner")

    op.drop_table("goals")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status_next_attempt_at")

    op.drop_table("deliveries")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_pair_user")

    op.drop_table("checkins")
    with op.batch_alter_table("checkin_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_schedules_next_due_at"))

    op.drop_table("checkin_schedules")
