"""Consent record of each application, and when its personal data was erased.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("consent_given_at", sa.DateTime(timezone=True)),
    ("consent_version", sa.String(length=80)),
    ("consent_method", sa.String(length=16)),
    ("erased_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    """Applies this revision."""
    with op.batch_alter_table("applications") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    """Reverts this revision."""
    with op.batch_alter_table("applications") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
