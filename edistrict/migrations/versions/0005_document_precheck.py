"""The document pre-check's result, kept with each upload and attached document.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("uploads", "documents")


def upgrade() -> None:
    """Applies this revision."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("precheck", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Reverts this revision."""
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("precheck")
