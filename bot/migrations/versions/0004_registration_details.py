"""registration details: each registration keeps the name, institution, position and phone given for it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("full_name", 200), ("institution", 200), ("position", 200), ("phone_e164", 20))


def upgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    # Until now the participant's latest details stood for every registration: the best record
    # there is of what each one was given with.
    for name, _ in COLUMNS:
        op.execute(
            f"UPDATE registration SET {name} = "
            f"(SELECT participant.{name} FROM participant WHERE participant.id = registration.participant_id)"
        )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
