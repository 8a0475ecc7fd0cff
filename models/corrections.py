"""A person's right to correct their data (UU PDP): one detail of one registration they hold, changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.alerts import details_corrected
from models.audit import record_audit
from models.person_details import DETAIL_FIELDS
from models.registration import Registration, RegistrationStatus, registration_of_user
from models.staff import PicAssignment


async def correct_detail(
    session: AsyncSession, registration_id: int, *, telegram_user_id: int, field: str, value: str, now: datetime
) -> Registration | None:
    """Set one detail (a checked value) of the person's live registration; None if it is not theirs or has ended.

    The seat or waiting-list place stays as it is. The person's latest details change too, so the
    next registration offers the corrected ones. The audit entry and the PICs' alert name the
    registration and the field, never the old or new value.
    """
    if field not in DETAIL_FIELDS:
        raise ValueError(f"not a detail: {field!r}")
    registration = await registration_of_user(session, registration_id, telegram_user_id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    if getattr(registration, field) == value:
        return registration
    setattr(registration, field, value)
    setattr(registration.participant, field, value)
    registration.participant.updated_at = now
    if field == "full_name":
        # A PIC appointed from this registration is listed under the name it gave.
        await session.execute(
            update(PicAssignment)
            .where(
                PicAssignment.telegram_user_id == telegram_user_id,
                PicAssignment.meeting_id == registration.meeting_id,
                PicAssignment.granted_via == "registration",
            )
            .values(display_name=value)
        )
    await record_audit(
        session,
        actor_user_id=telegram_user_id,
        action="details_corrected",
        now=now,
        meeting_id=registration.meeting_id,
        registration_id=registration.id,
        details={"field": field},
    )
    await details_corrected(session, registration, now=now)
    await session.flush()
    return registration
