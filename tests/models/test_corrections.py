"""Correcting one's details (UU PDP): one registration changes, its seat and the other registrations stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.alerts import Alert, AlertKind
from models.audit import AuditEntry
from models.corrections import correct_detail
from models.registration import Registration, RegistrationStatus
from models.seats import cancel, register
from tests.models.factories import T0, make_pic, meeting_and_role, seat

LATER = T0 + timedelta(days=1)


async def test_a_correction_changes_one_registration_keeps_its_seat_and_is_audited_by_ids(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await make_pic(s, "shm23-aceh", 900)
        first = await seat(s, "shm23-aceh", "pemustaka", 1)
        waiting = await seat(s, "shm23-aceh", "pemustaka", 2)
        bengkulu, role = await meeting_and_role(s, "shm23-bengkulu", "stakeholder")
        other = await register(s, participant=waiting.participant, meeting=bengkulu, role=role, now=T0)
        first_id, waiting_id, other_id = first.id, waiting.id, other.id
    async with sessions() as s, s.begin():
        corrected = await correct_detail(
            s, waiting_id, telegram_user_id=10_002, field="institution", value="Perpustakaan Desa Sukamaju", now=LATER
        )
        assert corrected is not None
    async with sessions() as s:
        waiting = await s.get(Registration, waiting_id)
        assert (waiting.institution, waiting.status, waiting.queued_at) == (
            "Perpustakaan Desa Sukamaju",
            RegistrationStatus.WAITLISTED,
            T0,
        )
        assert (await s.get(Registration, other_id)).institution == "Dinas Perpustakaan & Arsip"
        assert (await s.get(Registration, first_id)).institution == "Dinas Perpustakaan & Arsip"
        # What the next registration offers.
        assert waiting.participant.institution == "Perpustakaan Desa Sukamaju"
        [entry] = await s.scalars(select(AuditEntry))
        assert (entry.actor_user_id, entry.action, entry.registration_id, entry.details, entry.reason) == (
            10_002,
            "details_corrected",
            waiting_id,
            {"field": "institution"},
            None,
        )
        [alert] = await s.scalars(select(Alert).where(Alert.kind == AlertKind.DETAILS_CORRECTED))
        assert alert.details == {"registration_id": waiting_id}


async def test_nobody_corrects_someone_elses_or_an_ended_registration(sessions, program) -> None:
    async with sessions() as s, s.begin():
        mine = await seat(s, "shm23-aceh", "stakeholder", 1)
        await cancel(s, mine.id, now=T0)
        theirs = await seat(s, "shm23-aceh", "stakeholder", 2)
        mine_id, theirs_id = mine.id, theirs.id
    async with sessions() as s, s.begin():
        assert (
            await correct_detail(s, mine_id, telegram_user_id=10_001, field="full_name", value="Siti", now=LATER)
            is None
        )
        assert (
            await correct_detail(s, theirs_id, telegram_user_id=10_001, field="full_name", value="Siti", now=LATER)
            is None
        )
        with pytest.raises(ValueError):
            await correct_detail(s, theirs_id, telegram_user_id=10_002, field="status", value="seated", now=LATER)
    async with sessions() as s:
        assert (await s.get(Registration, theirs_id)).full_name == "Peserta 2"
        assert list(await s.scalars(select(AuditEntry))) == []


async def test_a_pic_named_after_their_registration_is_listed_under_the_corrected_name(sessions, program) -> None:
    from models.staff import PicAssignment, grant_from_registration

    async with sessions() as s, s.begin():
        facilitator = await seat(s, "shm23-aceh", "fasilitator", 1)
        await grant_from_registration(s, facilitator.id, granted_by=1, now=T0)
        registration_id = facilitator.id
    async with sessions() as s, s.begin():
        await correct_detail(
            s, registration_id, telegram_user_id=10_001, field="full_name", value="Dra. Siti", now=LATER
        )
    async with sessions() as s:
        assert [a.display_name for a in await s.scalars(select(PicAssignment))] == ["Dra. Siti"]
