"""discreet DMs: a server may have every DM to a member open with a neutral line.

Issue 10. ``guild_settings.discreet_dms`` (default off): when on, a DM's content says only "You have a
new message from <server>." and the details go in an embed, since a lock-screen preview shows the content.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guild_settings") as batch:
        batch.add_column(sa.Column("discreet_dms", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("guild_settings") as batch:
        batch.drop_column("discreet_dms")
