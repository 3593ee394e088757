"""Officers: departments they decide for, and why an officer was deactivated.

Existing officers get no department (``[]``): the next start fills in the configured
departments, and officers no longer configured are deactivated.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Applies this revision."""
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "departments",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )
        batch_op.add_column(
            sa.Column("deactivated_reason", sa.String(length=40), nullable=True)
        )


def downgrade() -> None:
    """Reverts this revision."""
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_column("deactivated_reason")
        batch_op.drop_column("departments")
