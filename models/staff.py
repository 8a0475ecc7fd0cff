"""Who may see and change a meeting's roster: organizers (admins) and each meeting's PICs.

Organizers are named in the bot's settings (`ADMIN_IDS`) and may act on every meeting. A PIC
(one of the two Fasilitator Daerah / PIC Provinsi of a province) acts on their own meeting only.
Someone becomes a PIC by opening a one-time invite link an organizer made for that meeting, or
when an organizer makes a participant who registered in the Fasilitator Daerah role a PIC with one
tap. Assignments are revoked, never deleted, so the roster's audit log keeps naming who acted.

Every staff command and button checks `Authority.may_manage` against the meeting it names, on
the server: the meeting id in a button is only a claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.program import Meeting


class PicInvite(Base):
    """A one-time link (`t.me/<bot>?start=<token>`) that makes whoever opens it a PIC of a meeting."""

    __tablename__ = "pic_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, URL-safe and within a deep link's 64 characters; the whole secret of the link.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(lazy="raise")


class PicAssignment(Base):
    """One person acting as PIC of one meeting, from `granted_at` until revoked."""

    __tablename__ = "pic_assignment"
    __table_args__ = (
        Index("uq_pic_assignment_live", "meeting_id", "telegram_user_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # How the PIC is named in lists: their Telegram name, or their registered name.
    display_name: Mapped[str] = mapped_column(String(200))
    # "invite" or "registration": how they became PIC.
    granted_via: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[int] = mapped_column(BigInteger)
    granted_at: Mapped[datetime]
    revoked_by: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(lazy="raise")


@dataclass(frozen=True)
class Authority:
    """What one Telegram user may do as staff, read once per update."""

    telegram_user_id: int
    is_admin: bool
    # The meetings they are PIC of.
    pic_meeting_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.pic_meeting_ids)

    def may_manage(self, meeting_id: int) -> bool:
        """Whether they may see and change this meeting's roster."""
        return self.is_admin or meeting_id in self.pic_meeting_ids


async def authority_of(session: AsyncSession, telegram_user_id: int, admin_ids: frozenset[int]) -> Authority:
    """The user's standing: organizer by the settings, PIC by their live assignments."""
    meeting_ids = await session.scalars(
        select(PicAssignment.meeting_id).where(
            PicAssignment.telegram_user_id == telegram_user_id, PicAssignment.revoked_at.is_(None)))
    return Authority(telegram_user_id, telegram_user_id in admin_ids, frozenset(meeting_ids))


async def pics_of(session: AsyncSession, meeting_id: int) -> list[PicAssignment]:
    """The meeting's live PICs, first appointed first."""
    result = await session.scalars(
        select(PicAssignment)
        .where(PicAssignment.meeting_id == meeting_id, PicAssignment.revoked_at.is_(None))
        .order_by(PicAssignment.granted_at, PicAssignment.id))
    return list(result)
