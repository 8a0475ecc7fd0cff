"""several instances: applied update ids, job leases and the shared send budget

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # New tables only. The conversations' high-water marks stay: an update at or below one was applied
    # before this migration, when updates were applied in order.
    op.create_table(
        "applied_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_applied_update")),
    )
    op.create_index(op.f("ix_applied_update_telegram_user_id"), "applied_update", ["telegram_user_id"], unique=False)
    op.create_index(op.f("ix_applied_update_applied_at"), "applied_update", ["applied_at"], unique=False)
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lease")),
    )
    op.create_table(
        "send_budget",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_budget")),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_table("job_lease")
    op.drop_index(op.f("ix_applied_update_applied_at"), table_name="applied_update")
    op.drop_index(op.f("ix_applied_update_telegram_user_id"), table_name="applied_update")
    op.drop_table("applied_update")
