"""program_upload: program files awaiting their organizer's confirmation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table: no file was ever waiting, so there is nothing to carry over.
    op.create_table(
        "program_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("shown", sa.String(length=16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_upload")),
        # Ids are never reused (SQLite would reuse a deleted row's id): a stale confirmation must stay stale.
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_program_upload_telegram_user_id"), "program_upload", ["telegram_user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_program_upload_telegram_user_id"), table_name="program_upload")
    op.drop_table("program_upload")
