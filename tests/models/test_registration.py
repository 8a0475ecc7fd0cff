"""Quota rules: seats, waiting lists, cancellations and promotions, with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models.program import Meeting, RoleQuota
from models.registration import RegistrationStatus, availability, waitlist_position
from models.seats import AlreadyRegistered, RegistrationClosed, cancel, register
from tests.models.factories import T0, make_participant, meeting_and_role


async def test_seats_fill_then_waiting_list_in_order(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-aceh", "tim_sinergi")
        registrations = []
        for n in range(8):
            person = await make_participant(s, n)
            registrations.append(
                await register(s, participant=person, meeting=meeting, role=role, now=T0 + timedelta(minutes=n))
            )
        assert [r.status for r in registrations] == [RegistrationStatus.SEATED] * 5 + [
            RegistrationStatus.WAITLISTED
        ] * 3
        assert [await waitlist_position(s, r) for r in registrations[5:]] == [1, 2, 3]
        state = {a.role.code: a for a in await availability(s, meeting.id)}
        assert (state["tim_sinergi"].seated, state["tim_sinergi"].waitlisted, state["tim_sinergi"].seats_left) == (
            5,
            3,
            0,
        )
        assert state["stakeholder"].seats_left == 18 and not state["stakeholder"].full


async def test_cancelling_a_seat_promotes_the_first_waiting(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-aceh", "pemustaka")
        people = [await make_participant(s, n) for n in range(3)]
        regs = [
            await register(s, participant=p, meeting=meeting, role=role, now=T0 + timedelta(minutes=i))
            for i, p in enumerate(people)
        ]
        assert [r.status for r in regs] == ["seated", "waitlisted", "waitlisted"]
        outcome = await cancel(s, regs[0].id, now=T0 + timedelta(hours=1))
        assert outcome.registration.status == RegistrationStatus.CANCELLED
        assert outcome.promoted is not None and outcome.promoted.id == regs[1].id
        assert outcome.promoted.seated_at == T0 + timedelta(hours=1)
        assert await waitlist_position(s, regs[2]) == 1
        # Cancelling twice changes nothing and promotes nobody again.
        again = await cancel(s, regs[0].id, now=T0 + timedelta(hours=2))
        assert again.promoted is None
        assert (await s.get(type(regs[2]), regs[2].id)).status == RegistrationStatus.WAITLISTED


async def test_cancelling_from_the_waiting_list_frees_no_seat(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-aceh", "rm_desa")
        regs = [
            await register(
                s, participant=await make_participant(s, n), meeting=meeting, role=role, now=T0 + timedelta(minutes=n)
            )
            for n in range(3)
        ]
        outcome = await cancel(s, regs[1].id, now=T0 + timedelta(hours=1))
        assert outcome.promoted is None
        assert await waitlist_position(s, regs[2]) == 1


async def test_a_lowered_quota_unseats_nobody_and_takes_nobody_new(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        regs = [
            await register(
                s, participant=await make_participant(s, n), meeting=meeting, role=role, now=T0 + timedelta(minutes=n)
            )
            for n in range(3)
        ]
        await s.execute(
            update(RoleQuota).where(RoleQuota.meeting_id == meeting.id, RoleQuota.role_id == role.id).values(seats=1)
        )
        outcome = await cancel(s, regs[0].id, now=T0 + timedelta(hours=1))
        assert outcome.promoted is None  # one still seated, and the quota is now one
        assert (await s.get(type(regs[1]), regs[1].id)).status == RegistrationStatus.SEATED


async def test_one_live_registration_per_person_per_meeting(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-aceh", "stakeholder")
        _, other_role = await meeting_and_role(s, "shm23-aceh", "tim_sinergi")
        person = await make_participant(s, 1)
        first = await register(s, participant=person, meeting=meeting, role=role, now=T0)
        with pytest.raises(AlreadyRegistered) as raised:
            await register(s, participant=person, meeting=meeting, role=other_role, now=T0)
        assert raised.value.registration_id == first.id
        await cancel(s, first.id, now=T0)
        again = await register(s, participant=person, meeting=meeting, role=other_role, now=T0)
        assert again.status == RegistrationStatus.SEATED


async def test_registration_window_follows_the_clock(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-bengkulu", "stakeholder")
        person = await make_participant(s, 1)
        starts = meeting.starts_at
        assert meeting.is_open_for_registration(starts - timedelta(seconds=1))
        assert not meeting.is_open_for_registration(starts)
        with pytest.raises(RegistrationClosed):
            await register(s, participant=person, meeting=meeting, role=role, now=starts + timedelta(days=1))
        undated, _ = await meeting_and_role(s, "shm23-aceh", "stakeholder")
        assert undated.starts_at is None
        assert undated.is_open_for_registration(T0 + timedelta(days=3650))
        undated.registration_opens_at = T0 + timedelta(days=1)
        assert not undated.is_open_for_registration(T0)
        assert undated.is_open_for_registration(T0 + timedelta(days=1))
        undated.listed = False
        assert not undated.is_open_for_registration(T0 + timedelta(days=1))


async def test_meeting_times_are_local_to_the_province(sessions, program) -> None:
    async with sessions() as s, s.begin():
        banjarmasin = await s.scalar(select(Meeting).where(Meeting.code == "shm23-kalimantan-selatan"))
        start = banjarmasin.local_start()
        assert (start.hour, start.utcoffset()) == (9, timedelta(hours=8))
        assert banjarmasin.starts_at.utcoffset() == timedelta(0)
