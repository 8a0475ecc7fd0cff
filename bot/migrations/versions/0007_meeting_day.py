"""meeting day: check-in, online meetings, certificates, evaluation

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE, never a batch copy: on SQLite (foreign keys on) recreating a parent table
# cascades its delete to every registration and planned message.
COLUMNS: tuple[tuple[str, sa.Column[Any]], ...] = (
    ("meeting", sa.Column("online_url", sa.String(length=500), nullable=True)),
    ("meeting", sa.Column("checkin_key", sa.String(length=64), nullable=True)),
    ("program", sa.Column("committee", sa.JSON(), nullable=True)),
    ("program", sa.Column("certificate", sa.JSON(), nullable=True)),
    ("program", sa.Column("evaluation", sa.JSON(), nullable=True)),
    ("registration", sa.Column("checkin_token", sa.String(length=32), nullable=True)),
    ("registration", sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True)),
    ("registration", sa.Column("checked_in_by", sa.BigInteger(), nullable=True)),
    (
        "registration",
        sa.Column(
            "checked_in_via",
            sa.Enum("code", "projector", "roster", "online", name="checkinway", native_enum=False, length=16),
            nullable=True,
        ),
    ),
)


def upgrade() -> None:
    # New columns and tables only: no meeting had a check-in, a certificate or an evaluation before.
    for table, column in COLUMNS:
        op.add_column(table, column)
    op.create_index(op.f("ix_registration_checkin_token"), "registration", ["checkin_token"], unique=True)
    op.create_table(
        "evaluation_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_on", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_evaluation_response_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_response")),
    )
    op.create_index(op.f("ix_evaluation_response_meeting_id"), "evaluation_response", ["meeting_id"], unique=False)
    op.create_table(
        "evaluation_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_code", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["evaluation_response.id"],
            name=op.f("fk_evaluation_score_response_id_evaluation_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_score")),
    )
    op.create_index(op.f("ix_evaluation_score_response_id"), "evaluation_score", ["response_id"], unique=False)
    op.create_table(
        "evaluation_progress",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_evaluation_progress_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_evaluation_progress")),
    )
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("verify_token", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_certificate_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("number", name=op.f("uq_certificate_number")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_certificate_registration_id")),
        sa.UniqueConstraint("verify_token", name=op.f("uq_certificate_verify_token")),
    )


def downgrade() -> None:
    op.drop_table("certificate")
    op.drop_table("evaluation_progress")
    op.drop_index(op.f("ix_evaluation_score_response_id"), table_name="evaluation_score")
    op.drop_table("evaluation_score")
    op.drop_index(op.f("ix_evaluation_response_meeting_id"), table_name="evaluation_response")
    op.drop_table("evaluation_response")
    op.drop_index(op.f("ix_registration_checkin_token"), table_name="registration")
    # SQLite 3.35+ drops a column in place (see COLUMNS: no batch copy of a parent table).
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column.name)
