"""reports about a moderator go to the server owner only; open-case reminders at most once a day.

Issue 10. ``reports.confidential_to`` is the one moderator (the server owner) who may list and resolve a
report about another moderator (empty: every moderator); ``safety_settings.reminded_at`` is when the
log channel was last told how many cases have been open for more than 48 hours.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("confidential_to", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("safety_settings") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("safety_settings") as batch:
        batch.drop_column("reminded_at")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("confidential_to")
