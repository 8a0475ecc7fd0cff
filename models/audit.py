"""The roster's audit log: every change a PIC or organizer makes by hand, with who, when and why.

Entries are appended, never edited. They name the registration, not the person: erasing a
participant's data (UU PDP) leaves the entry with its reason and what changed, but no longer
says about whom (`registration_id` is set to NULL with the registration).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AuditEntry(Base):
    """One hand-made change to a meeting's roster."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[int] = mapped_column(BigInteger)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    # What was done: "move", "add", "remove", "pic_granted", "pic_revoked", "program_loaded" …
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(500))
    # What changed, by ids and codes (role codes, statuses); never names or phone numbers.
    details: Mapped[dict | None] = mapped_column(JSON)


async def record_audit(
    session: AsyncSession,
    *,
    actor_user_id: int,
    action: str,
    now: datetime,
    meeting_id: int | None = None,
    registration_id: int | None = None,
    reason: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Append an entry to the audit log."""
    entry = AuditEntry(
        at=now,
        actor_user_id=actor_user_id,
        meeting_id=meeting_id,
        registration_id=registration_id,
        action=action,
        reason=reason,
        details=details,
    )
    session.add(entry)
    await session.flush()
    return entry
