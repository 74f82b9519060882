"""reports remember whether they reached the moderators' log channel.

Issue 9. A report is stored first and posted after; when the post fails (or no log channel is set),
``delivered`` stays false and ``/peeradmin safety reports`` flags the case. Reports filed before this
revision were posted when filed, so they count as delivered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 08:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("delivered", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("delivered")
