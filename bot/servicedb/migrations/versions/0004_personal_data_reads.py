"""Audit of staff reads of unmasked personal data (issue 7).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 02:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("department", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_personal_data_reads_appeal_id_appeals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_reads")),
    )
    with op.batch_alter_table("personal_data_reads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_data_reads_appeal_id"), ["appeal_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("personal_data_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_reads_appeal_id"))
    op.drop_table("personal_data_reads")
