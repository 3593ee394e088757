"""Officer console: when an officer last logged out (older sessions end).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Applies this revision."""
    with op.batch_alter_table("officers") as batch:
        batch.add_column(
            sa.Column(
                "console_sessions_after", sa.DateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    """Reverts this revision."""
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("console_sessions_after")
