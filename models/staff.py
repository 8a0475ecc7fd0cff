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

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ForeignKey, Index, String, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.audit import record_audit
from models.base import Base, changed_rows
from models.free_text import clean_line
from models.participant import Participant
from models.program import Meeting, Role, listed_meetings
from models.registration import Registration, RegistrationStatus


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
        Index(
            "uq_pic_assignment_live",
            "meeting_id",
            "telegram_user_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # How the PIC is named in lists: their Telegram name, or their registered name. NULL once the
    # person's data was erased or expired: they stay PIC, unnamed.
    display_name: Mapped[str | None] = mapped_column(String(200))
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
            PicAssignment.telegram_user_id == telegram_user_id, PicAssignment.revoked_at.is_(None)
        )
    )
    return Authority(telegram_user_id, telegram_user_id in admin_ids, frozenset(meeting_ids))


async def manageable_meetings(session: AsyncSession, who: Authority) -> list[Meeting]:
    """The listed meetings the person may manage, in province order: all of them for an organizer."""
    return [meeting for meeting in await listed_meetings(session) if who.may_manage(meeting.id)]


async def pics_of(session: AsyncSession, meeting_id: int) -> list[PicAssignment]:
    """The meeting's live PICs, first appointed first."""
    result = await session.scalars(
        select(PicAssignment)
        .where(PicAssignment.meeting_id == meeting_id, PicAssignment.revoked_at.is_(None))
        .order_by(PicAssignment.granted_at, PicAssignment.id)
    )
    return list(result)


# Managing PICs: invites, grants and revocations. Each change is written to the audit log.

# Marks a deep-link payload as an invite rather than a meeting code; token_urlsafe adds only A-Za-z0-9_-.
INVITE_PREFIX = "pic-"
INVITE_LIFETIME = timedelta(days=7)
# The role whose registrants an organizer may make PIC with one tap (Fasilitator Daerah / PIC Provinsi).
FACILITATOR_ROLE = "fasilitator"


class InviteProblem(enum.StrEnum):
    """Why an invite link makes nobody PIC."""

    UNKNOWN = "unknown"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


class InviteRefused(Exception):
    """The invite cannot be redeemed."""

    def __init__(self, problem: InviteProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class NotFacilitator(Exception):
    """The registration is not a live Fasilitator Daerah registration of someone on Telegram."""


@dataclass(frozen=True)
class Grant:
    """The outcome of making someone PIC: their live assignment, and whether they already were."""

    assignment: PicAssignment
    already: bool


async def create_invite(
    session: AsyncSession,
    *,
    meeting_id: int,
    created_by: int,
    now: datetime,
    lifetime: timedelta | None = INVITE_LIFETIME,
) -> PicInvite:
    """A fresh one-time invite for the meeting."""
    invite = PicInvite(
        token=INVITE_PREFIX + secrets.token_urlsafe(24),
        meeting_id=meeting_id,
        created_by=created_by,
        created_at=now,
        expires_at=now + lifetime if lifetime else None,
    )
    session.add(invite)
    await session.flush()
    await record_audit(
        session,
        actor_user_id=created_by,
        action="pic_invite_created",
        now=now,
        meeting_id=meeting_id,
        details={"invite_id": invite.id},
    )
    return invite


async def _live_assignment(session: AsyncSession, meeting_id: int, telegram_user_id: int) -> PicAssignment | None:
    return await session.scalar(
        select(PicAssignment).where(
            PicAssignment.meeting_id == meeting_id,
            PicAssignment.telegram_user_id == telegram_user_id,
            PicAssignment.revoked_at.is_(None),
        )
    )


async def _grant(
    session: AsyncSession,
    *,
    meeting_id: int,
    telegram_user_id: int,
    chat_id: int,
    display_name: str,
    via: str,
    granted_by: int,
    now: datetime,
    details: dict,
) -> Grant:
    """Make the person PIC of the meeting unless they are already; a concurrent grant counts as already."""
    existing = await _live_assignment(session, meeting_id, telegram_user_id)
    if existing is not None:
        return Grant(existing, already=True)
    assignment = PicAssignment(
        meeting_id=meeting_id,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        # The Telegram name as the person set it: shown in the panel, so cleaned as any typed text.
        display_name=clean_line(display_name)[:200] or None,
        granted_via=via,
        granted_by=granted_by,
        granted_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(assignment)
    except IntegrityError:
        # Another update made them PIC between the check and the insert (the live index is unique);
        # any other refusal of the insert is a bug to surface, not a grant.
        existing = await _live_assignment(session, meeting_id, telegram_user_id)
        if existing is None:
            raise
        return Grant(existing, already=True)
    await record_audit(
        session,
        actor_user_id=granted_by,
        action="pic_granted",
        now=now,
        meeting_id=meeting_id,
        details={"assignment_id": assignment.id, "via": via, **details},
    )
    return Grant(assignment, already=False)


async def redeem_invite(
    session: AsyncSession, token: str, *, telegram_user_id: int, chat_id: int, display_name: str, now: datetime
) -> Grant:
    """Make whoever opened the invite link PIC of its meeting; the link then works for nobody else.

    Opening one's own used link again, or an invite to a meeting one is PIC of already, changes
    nothing (and leaves the invite for someone else). Raises InviteRefused otherwise.
    """
    invite = await session.scalar(select(PicInvite).where(PicInvite.token == token))
    if invite is None:
        raise InviteRefused(InviteProblem.UNKNOWN)
    existing = await _live_assignment(session, invite.meeting_id, telegram_user_id)
    if invite.used_by is not None:
        if invite.used_by == telegram_user_id and existing is not None:
            return Grant(existing, already=True)
        raise InviteRefused(InviteProblem.USED)
    if invite.revoked_at is not None:
        raise InviteRefused(InviteProblem.REVOKED)
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteRefused(InviteProblem.EXPIRED)
    if existing is not None:
        return Grant(existing, already=True)
    # One conditional update claims the invite, so of two people opening it at once only one wins.
    claimed = await changed_rows(
        session,
        update(PicInvite)
        .where(PicInvite.id == invite.id, PicInvite.used_by.is_(None), PicInvite.revoked_at.is_(None))
        .values(used_by=telegram_user_id, used_at=now)
        .execution_options(synchronize_session=False),
    )
    if claimed != 1:
        raise InviteRefused(InviteProblem.USED)
    await session.refresh(invite)
    return await _grant(
        session,
        meeting_id=invite.meeting_id,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        display_name=display_name,
        via="invite",
        granted_by=invite.created_by,
        now=now,
        details={"invite_id": invite.id},
    )


async def grant_from_registration(
    session: AsyncSession, registration_id: int, *, granted_by: int, now: datetime
) -> Grant:
    """Make a Fasilitator Daerah registrant PIC of the meeting they registered for."""
    registration = await session.get(Registration, registration_id)
    if (
        registration is None
        or registration.role.code != FACILITATOR_ROLE
        or registration.status == RegistrationStatus.CANCELLED
    ):
        raise NotFacilitator(registration_id)
    person = registration.participant
    if person.telegram_user_id is None or person.chat_id is None:
        # Added by hand without a Telegram account: nobody could use the PIC's commands. The panel
        # does not offer them (`facilitators_not_pic`); only a forged button gets here.
        raise NotFacilitator(registration_id)
    return await _grant(
        session,
        meeting_id=registration.meeting_id,
        telegram_user_id=person.telegram_user_id,
        chat_id=person.chat_id,
        display_name=registration.full_name,
        via="registration",
        granted_by=granted_by,
        now=now,
        details={"registration_id": registration.id},
    )


async def forget_pic_names(session: AsyncSession, telegram_user_ids: list[int], *, via: str | None = None) -> None:
    """Remove the names these people's PIC assignments show (all, or only those granted `via`)."""
    if not telegram_user_ids:
        return
    query = update(PicAssignment).where(PicAssignment.telegram_user_id.in_(telegram_user_ids))
    if via is not None:
        query = query.where(PicAssignment.granted_via == via)
    await session.execute(query.values(display_name=None))


async def assignment_in_force(session: AsyncSession, assignment_id: int) -> PicAssignment | None:
    """The assignment if it is still in force."""
    assignment = await session.get(PicAssignment, assignment_id)
    return assignment if assignment is not None and assignment.revoked_at is None else None


async def unused_invite(session: AsyncSession, invite_id: int) -> PicInvite | None:
    """The invite if nobody used it and it was not withdrawn (it may have expired)."""
    invite = await session.get(PicInvite, invite_id)
    return invite if invite is not None and invite.used_by is None and invite.revoked_at is None else None


async def revoke_pic(
    session: AsyncSession, assignment_id: int, *, revoked_by: int, now: datetime
) -> PicAssignment | None:
    """End a PIC's assignment; None when it is unknown or revoked already."""
    assignment = await assignment_in_force(session, assignment_id)
    if assignment is None:
        return None
    assignment.revoked_at, assignment.revoked_by = now, revoked_by
    await session.flush()
    await record_audit(
        session,
        actor_user_id=revoked_by,
        action="pic_revoked",
        now=now,
        meeting_id=assignment.meeting_id,
        details={"assignment_id": assignment.id},
    )
    return assignment


async def revoke_invite(session: AsyncSession, invite_id: int, *, revoked_by: int, now: datetime) -> PicInvite | None:
    """Withdraw an unused invite; None when it is unknown, used or revoked already."""
    invite = await unused_invite(session, invite_id)
    if invite is None:
        return None
    invite.revoked_at = now
    await session.flush()
    await record_audit(
        session,
        actor_user_id=revoked_by,
        action="pic_invite_revoked",
        now=now,
        meeting_id=invite.meeting_id,
        details={"invite_id": invite.id},
    )
    return invite


async def open_invites(session: AsyncSession, meeting_id: int, now: datetime) -> list[PicInvite]:
    """The meeting's invites that could still make someone PIC, oldest first."""
    result = await session.scalars(
        select(PicInvite)
        .where(
            PicInvite.meeting_id == meeting_id,
            PicInvite.used_by.is_(None),
            PicInvite.revoked_at.is_(None),
            or_(PicInvite.expires_at.is_(None), PicInvite.expires_at > now),
        )
        .order_by(PicInvite.created_at, PicInvite.id)
    )
    return list(result)


async def facilitator_role(session: AsyncSession, meeting: Meeting) -> Role | None:
    """The role of the meeting's program whose registrants may be made PIC with one tap; None if it has none."""
    return await session.scalar(
        select(Role).where(Role.program_id == meeting.program_id, Role.code == FACILITATOR_ROLE)
    )


async def facilitators_not_pic(session: AsyncSession, meeting_id: int) -> list[Registration]:
    """The meeting's live Fasilitator Daerah registrations whose person is on Telegram and not (yet) its PIC."""
    live_pics = select(PicAssignment.telegram_user_id).where(
        PicAssignment.meeting_id == meeting_id, PicAssignment.revoked_at.is_(None)
    )
    result = await session.scalars(
        select(Registration)
        .join(Role, Role.id == Registration.role_id)
        .join(Participant, Participant.id == Registration.participant_id)
        .where(
            Registration.meeting_id == meeting_id,
            Role.code == FACILITATOR_ROLE,
            Registration.status != RegistrationStatus.CANCELLED,
            # Explicitly: NULL NOT IN (an empty list) is true, so with no PIC yet they would be listed.
            Participant.telegram_user_id.is_not(None),
            Participant.telegram_user_id.not_in(live_pics),
        )
        .order_by(Registration.queued_at, Registration.id)
    )
    return list(result)
