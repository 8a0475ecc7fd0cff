"""conversation: the button press applied last, so a double tap acts once

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing conversations have no press to repeat: the columns start empty.
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pressed_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("pressed_data", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("pressed_digest", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("pressed_closed", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("pressed_closed")
        batch_op.drop_column("pressed_digest")
        batch_op.drop_column("pressed_data")
        batch_op.drop_column("pressed_message_id")
