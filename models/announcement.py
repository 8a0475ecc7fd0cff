"""Announcements: a PIC's or organizer's message to every participant of a meeting.

The text is kept until the fan-out is done, so every participant's outbox row (kind
`announcement`, `subject_id` = the announcement) renders the same words, and the author's report
can count how many received it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Announcement(Base):
    """One announcement, written, previewed and (once confirmed) sent to a meeting's participants."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int] = mapped_column(BigInteger)
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    # As typed by the author (plain text); escaped when rendered.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    # How many participants it was planned for when confirmed.
    recipients: Mapped[int | None]
    reported_at: Mapped[datetime | None]
