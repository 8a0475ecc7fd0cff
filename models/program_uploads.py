"""Program files an organizer sent that wait for their confirmation before they are applied.

A file that would hide meetings people registered for, or move the dates of seated people, is kept
here until the organizer confirms it (or sends another file, which takes its place). Kept in the
database, it survives a restart; a file holds no personal data.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, LargeBinary, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ProgramUpload(Base):
    """One organizer's file awaiting confirmation, and a fingerprint of the changes they were shown."""

    __tablename__ = "program_upload"
    # A confirmation names its file by id: an id must never come back, or a stale button would apply a newer file.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # What the confirmation showed: a confirm is applied only if the file still changes exactly that.
    shown: Mapped[str] = mapped_column(String(16))
    uploaded_at: Mapped[datetime]


def fingerprint(summary: object) -> str:
    """A short digest of what a confirmation shows (the repr of a frozen dataclass)."""
    return hashlib.sha256(repr(summary).encode()).hexdigest()[:16]


async def hold_upload(
    session: AsyncSession, telegram_user_id: int, file_name: str, content: bytes, *, shown: str, now: datetime
) -> ProgramUpload:
    """Keep a file until it is confirmed, in place of any file the organizer left unconfirmed."""
    await drop_uploads(session, telegram_user_id)
    upload = ProgramUpload(
        telegram_user_id=telegram_user_id, file_name=file_name[:255], content=content, shown=shown, uploaded_at=now
    )
    session.add(upload)
    await session.flush()
    return upload


async def held_upload(session: AsyncSession, telegram_user_id: int, upload_id: int) -> ProgramUpload | None:
    """The organizer's file awaiting confirmation under this id; None once applied, dropped or replaced."""
    return await session.scalar(
        select(ProgramUpload).where(ProgramUpload.id == upload_id, ProgramUpload.telegram_user_id == telegram_user_id)
    )


async def drop_uploads(session: AsyncSession, telegram_user_id: int) -> None:
    """Forget the organizer's files awaiting confirmation: a newer file, an applied one or a refusal."""
    await session.execute(delete(ProgramUpload).where(ProgramUpload.telegram_user_id == telegram_user_id))
