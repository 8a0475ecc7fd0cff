"""outbox, attendance and seat offers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reminder",
                "attendance",
                "attendance_nudge",
                "seat_offer",
                "offer_lapsed",
                "promoted",
                "schedule_changed",
                name="messagekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "missed",
                "obsolete",
                "unreachable",
                "failed",
                name="outboxstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_outbox_message_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_registration_id"), ["registration_id"], unique=False)

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreachable_since", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_plan", sa.JSON(), nullable=True))

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("attendance_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("offered_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("offer_lapsed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("offer_lapsed_at")
        batch_op.drop_column("offered_until")
        batch_op.drop_column("attendance_at")
        batch_op.drop_column("attendance")

    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("reminder_plan")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_registration_id"))
        batch_op.drop_index("ix_outbox_message_due")

    op.drop_table("outbox_message")
