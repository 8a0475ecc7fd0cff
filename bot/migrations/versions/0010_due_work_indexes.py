"""indexes for the work the outbox sender does before each claim

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The sender runs the seat-offer lapses and the certificate sweep before every claim of 30: without
# these, each pass read every registration (the few holds among a year's 50,000) and every
# evaluation ever answered (the ones finished within the sweep's month), 8 ms and more each time.
# The sweeps read the people checked in at the last month's meetings: a partial index, of those only.
CHECKED_IN = "checked_in_at IS NOT NULL"
# The alerts job hands the organizers the alerts of the last day: without its index, every alert ever recorded.


def upgrade() -> None:
    op.create_index("ix_registration_offered", "registration", ["status", "offered_until"], unique=False)
    op.create_index(op.f("ix_evaluation_progress_finished_at"), "evaluation_progress", ["finished_at"], unique=False)
    op.create_index(op.f("ix_alert_created_at"), "alert", ["created_at"], unique=False)
    op.create_index(
        "ix_registration_checked_in",
        "registration",
        ["meeting_id"],
        unique=False,
        sqlite_where=sa.text(CHECKED_IN),
        postgresql_where=sa.text(CHECKED_IN),
    )


def downgrade() -> None:
    op.drop_index("ix_registration_checked_in", table_name="registration")
    op.drop_index(op.f("ix_alert_created_at"), table_name="alert")
    op.drop_index(op.f("ix_evaluation_progress_finished_at"), table_name="evaluation_progress")
    op.drop_index("ix_registration_offered", table_name="registration")
