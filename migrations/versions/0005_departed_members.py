"""members who left the server are erased after a number of days moderators choose.

Issue 10. ``member_profiles.left_at`` records when a member left the server (cleared if they come
back); ``safety_settings.departed_days`` is the server's choice (empty: 30 days).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member_profiles") as batch:
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("safety_settings") as batch:
        batch.add_column(sa.Column("departed_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("safety_settings") as batch:
        batch.drop_column("departed_days")
    with op.batch_alter_table("member_profiles") as batch:
        batch.drop_column("left_at")
