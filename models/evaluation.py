"""The evaluation after a meeting: statements rated 1-5 and a comment, kept without the person's name.

Who has been asked and how far they got is kept per registration (`EvaluationProgress`), so a
person answers once and can continue after a restart; what they answered is written to the result
tables (`EvaluationResponse`, `EvaluationScore`) only when they finish, with the meeting and nothing
that leads back to them, and their progress then forgets the answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.program import Meeting


class EvaluationProgress(Base):
    """One checked-in person's evaluation: asked when, the answers so far, finished when."""

    __tablename__ = "evaluation_progress"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    asked_at: Mapped[datetime]
    # Question code -> score while the person answers; emptied once the response is written.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime | None]


class EvaluationResponse(Base):
    """One finished evaluation of one meeting: its comment, if any; no person, no registration."""

    __tablename__ = "evaluation_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    # The day only: a time to the second could be matched with when a person was seen answering.
    submitted_on: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(lazy="raise")


class EvaluationScore(Base):
    """One rating in a finished evaluation."""

    __tablename__ = "evaluation_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("evaluation_response.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(String(32))
    score: Mapped[int]
