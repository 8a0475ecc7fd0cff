"""staff: PICs, invites, audit log, announcements, staff outbox messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.BigInteger(), nullable=False),
        sa.Column("author_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_announcement_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "pic_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("granted_via", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.BigInteger(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_pic_assignment_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pic_assignment")),
    )
    with op.batch_alter_table("pic_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pic_assignment_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pic_assignment_telegram_user_id"), ["telegram_user_id"], unique=False)
        batch_op.create_index(
            "uq_pic_assignment_live",
            ["meeting_id", "telegram_user_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "pic_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_pic_invite_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pic_invite")),
        sa.UniqueConstraint("token", name=op.f("uq_pic_invite_token")),
    )
    with op.batch_alter_table("pic_invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pic_invite_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_audit_entry_meeting_id_meeting"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_audit_entry_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_meeting_id"), ["meeting_id"], unique=False)

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_user_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("recipient_chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.alter_column("registration_id", existing_type=sa.INTEGER(), nullable=True)

    # ---- roster: people added by a PIC without Telegram; offline consent; a staff step's subject
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.alter_column("telegram_user_id", existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.alter_column("telegram_user_id", existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column("participant_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_consent_record_participant_id_participant"),
            "participant",
            ["participant_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))

    # ---- alerts
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_rules", sa.JSON(), nullable=True))

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "threshold",
                "full",
                "seat_freed",
                "waitlist_grew",
                "lagging",
                "unconfirmed",
                "unreachable",
                name="alertkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("role_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_alert_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_alert_role_id_role"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alert_dedupe_key")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_delivery_alert_id_alert"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_alert_delivery_meeting_id_meeting"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_alert_delivery_outbox_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
    )
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_delivery_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(
            "ix_alert_delivery_pending", ["telegram_user_id", "meeting_id", "outbox_message_id"], unique=False
        )


def downgrade() -> None:
    # ---- alerts
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_delivery_pending")
        batch_op.drop_index(batch_op.f("ix_alert_delivery_alert_id"))

    op.drop_table("alert_delivery")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_meeting_id"))

    op.drop_table("alert")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_column("alert_rules")

    # ---- roster
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("subject_id")
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consent_record_participant_id_participant"), type_="foreignkey")
        batch_op.drop_column("recorded_by")
        batch_op.drop_column("participant_id")
        batch_op.alter_column("telegram_user_id", existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("telegram_user_id", existing_type=sa.BigInteger(), nullable=False)

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("registration_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("subject_id")
        batch_op.drop_column("recipient_chat_id")
        batch_op.drop_column("recipient_user_id")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_meeting_id"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("pic_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pic_invite_meeting_id"))

    op.drop_table("pic_invite")
    with op.batch_alter_table("pic_assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pic_assignment_live",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_pic_assignment_telegram_user_id"))
        batch_op.drop_index(batch_op.f("ix_pic_assignment_meeting_id"))

    op.drop_table("pic_assignment")
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_meeting_id"))

    op.drop_table("announcement")
