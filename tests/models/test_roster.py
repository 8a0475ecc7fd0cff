"""Roster changes by hand: moves, additions and removals, each audited, with an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.participant import ConsentRecord, Participant
from models.personal_data import purge_expired
from models.registration import RegistrationStatus
from models.roster import RosterError, RosterProblem, add, check_target, live_roster, move, remove
from tests.models.factories import T0, meeting_and_role, seat, seats

PIC = 7001
BENGKULU = "shm23-bengkulu"
# Bengkulu starts 2023-07-26 09:00 WIB; the attendance question goes out three days before.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
# People register a minute apart.
APART = timedelta(minutes=1)


async def role_id(s, code: str) -> int:
    return (await meeting_and_role(s, BENGKULU, code))[1].id


async def audit(s, action: str) -> list[AuditEntry]:
    return list(await s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


async def test_a_move_seats_the_person_in_the_new_role_and_gives_their_old_seat_to_the_first_waiting(
    sessions, program
) -> None:
    async with sessions() as s, s.begin():
        moving, first, second = await seats(s, BENGKULU, "pemustaka", range(3), apart=APART)
        vacated = await move(
            s,
            meeting_id=moving.meeting_id,
            registration_id=moving.id,
            role_id=await role_id(s, "stakeholder"),
            actor_user_id=PIC,
            reason="salah peran",
            now=T0 + timedelta(hours=1),
        )
        assert (moving.role.code, moving.status) == ("stakeholder", RegistrationStatus.SEATED)
        assert vacated.promoted is first and first.status == RegistrationStatus.SEATED
        assert second.status == RegistrationStatus.WAITLISTED
        [entry] = await audit(s, "move")
        assert (entry.actor_user_id, entry.registration_id, entry.reason) == (PIC, moving.id, "salah peran")
        assert entry.details == {
            "from_role": "pemustaka",
            "to_role": "stakeholder",
            "from_status": "seated",
            "seat_passed_to": first.id,
        }
        pending = list(
            await s.scalars(
                select(OutboxMessage.kind).where(
                    OutboxMessage.registration_id == moving.id, OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        )
        # The old seat's reminders were withdrawn; the new seat's (same moments, same keys) are planned again.
        assert pending.count(MessageKind.REMINDER) == 3 and MessageKind.MOVED in pending
        assert MessageKind.ATTENDANCE_QUESTION in pending


async def test_a_waiting_person_moved_to_a_free_seat_frees_nothing(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        vacated = await move(
            s,
            meeting_id=waiting.meeting_id,
            registration_id=waiting.id,
            role_id=await role_id(s, "rm_desa"),
            actor_user_id=PIC,
            reason="peran kosong",
            now=T0 + timedelta(hours=1),
        )
        assert vacated.promoted is None and vacated.offered is None
        assert (waiting.role.code, waiting.status) == ("rm_desa", RegistrationStatus.SEATED)
        assert seated.status == RegistrationStatus.SEATED


async def test_a_move_to_a_full_role_is_refused_with_its_seats_and_changes_nothing(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await seat(s, BENGKULU, "rm_desa", 0)
        moving = await seat(s, BENGKULU, "pemustaka", 1, T0 + APART)
        with pytest.raises(RosterError) as refused:
            await move(
                s,
                meeting_id=moving.meeting_id,
                registration_id=moving.id,
                role_id=await role_id(s, "rm_desa"),
                actor_user_id=PIC,
                reason="coba",
                now=T0,
            )
        assert refused.value.problem is RosterProblem.ROLE_FULL
        assert (refused.value.role.seats, refused.value.role.seated) == (1, 1)
        assert (moving.role.code, moving.status) == ("pemustaka", RegistrationStatus.SEATED)
        assert await audit(s, "move") == []
        with pytest.raises(RosterError) as same:
            await move(
                s,
                meeting_id=moving.meeting_id,
                registration_id=moving.id,
                role_id=moving.role_id,
                actor_user_id=PIC,
                reason="coba",
                now=T0,
            )
        assert same.value.problem is RosterProblem.SAME_ROLE
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "pemustaka")
        with pytest.raises(RosterError) as foreign:
            await move(
                s,
                meeting_id=aceh.id,
                registration_id=moving.id,
                role_id=await role_id(s, "stakeholder"),
                actor_user_id=PIC,
                reason="coba",
                now=T0,
            )
        assert foreign.value.problem is RosterProblem.NOT_FOUND


async def test_close_to_the_meeting_the_seat_a_move_frees_is_offered_not_given(sessions, program) -> None:
    async with sessions() as s, s.begin():
        moving, waiting = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        vacated = await move(
            s,
            meeting_id=moving.meeting_id,
            registration_id=moving.id,
            role_id=await role_id(s, "stakeholder"),
            actor_user_id=PIC,
            reason="salah peran",
            now=START - timedelta(days=2),
        )
        assert vacated.offered is waiting and waiting.status == RegistrationStatus.OFFERED


async def test_moves_in_opposite_directions_at_once_both_finish(sessions, program) -> None:
    async with sessions() as s, s.begin():
        a = (await seat(s, BENGKULU, "stakeholder", 0)).id
        b = (await seat(s, BENGKULU, "tim_sinergi", 1, T0 + APART)).id
        stakeholder, tim = await role_id(s, "stakeholder"), await role_id(s, "tim_sinergi")
        meeting_id = (await meeting_and_role(s, BENGKULU, "stakeholder"))[0].id

    async def one(registration_id: int, target: int) -> None:
        async with sessions() as s, s.begin():
            await move(
                s,
                meeting_id=meeting_id,
                registration_id=registration_id,
                role_id=target,
                actor_user_id=PIC,
                reason="tukar",
                now=T0 + timedelta(hours=1),
            )

    await asyncio.wait_for(asyncio.gather(one(a, tim), one(b, stakeholder)), timeout=30)
    async with sessions() as s, s.begin():
        roles = {r.id: r.role.code for r in await live_roster(s, meeting_id)}
        assert roles == {a: "tim_sinergi", b: "stakeholder"}


async def test_a_removal_passes_the_seat_on_tells_the_person_and_cannot_repeat(sessions, program) -> None:
    async with sessions() as s, s.begin():
        gone, heir = await seats(s, BENGKULU, "pemustaka", range(2), apart=APART)
        cancellation = await remove(
            s,
            meeting_id=gone.meeting_id,
            registration_id=gone.id,
            actor_user_id=PIC,
            reason="ganti orang",
            now=T0 + timedelta(hours=1),
        )
        assert gone.status == RegistrationStatus.CANCELLED and cancellation.promoted is heir
        notices = list(
            await s.scalars(
                select(OutboxMessage.kind).where(
                    OutboxMessage.registration_id == gone.id, OutboxMessage.status == "pending"
                )
            )
        )
        assert notices == [MessageKind.REMOVED]
        [entry] = await audit(s, "remove")
        assert entry.details == {"role": "pemustaka", "from_status": "seated", "seat_passed_to": heir.id}
        with pytest.raises(RosterError) as again:
            await remove(
                s,
                meeting_id=gone.meeting_id,
                registration_id=gone.id,
                actor_user_id=PIC,
                reason="lagi",
                now=T0 + timedelta(hours=2),
            )
        assert again.value.problem is RosterProblem.NOT_FOUND


async def test_a_person_added_by_hand_has_no_telegram_account_and_offline_consent(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, BENGKULU, "pemustaka")
        details = {"institution": "Desa Sukamaju", "position": "Kepala Desa", "phone_e164": "+6281311112222"}
        first = await add(
            s,
            meeting=meeting,
            role_id=role.id,
            full_name="Budi",
            actor_user_id=PIC,
            reason="formulir kertas",
            now=T0,
            **details,
        )
        second = await add(
            s,
            meeting=meeting,
            role_id=role.id,
            full_name="Wati",
            actor_user_id=PIC,
            reason="telepon",
            now=T0 + timedelta(minutes=1),
            **details,
        )
        assert [first.status, second.status] == [RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED]
        assert first.participant.telegram_user_id is None and first.participant.chat_id is None
        consents = list(await s.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))
        assert [(c.participant_id, c.recorded_by, c.given, c.telegram_user_id) for c in consents] == [
            (first.participant_id, PIC, True, None),
            (second.participant_id, PIC, True, None),
        ]
        assert [e.details for e in await audit(s, "add")] == [
            {"role": "pemustaka", "status": "seated", "consent": "offline"},
            {"role": "pemustaka", "status": "waitlisted", "consent": "offline"},
        ]
        with pytest.raises(RosterError) as closed:
            await add(
                s,
                meeting=meeting,
                role_id=role.id,
                full_name="Terlambat",
                actor_user_id=PIC,
                reason="telat",
                now=START + timedelta(days=1),
                **details,
            )
        assert closed.value.problem is RosterProblem.STARTED
        assert await s.scalar(select(Participant).where(Participant.full_name == "Terlambat")) is None


async def test_people_added_by_hand_are_purged_after_retention_and_their_consent_proof_stays(sessions, program) -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, BENGKULU, "pemustaka")
        await add(
            s,
            meeting=meeting,
            role_id=role.id,
            full_name="Budi",
            institution="Desa Sukamaju",
            position="Kepala Desa",
            phone_e164="+6281311112222",
            actor_user_id=PIC,
            reason="formulir",
            now=T0,
        )
    async with sessions() as s, s.begin():
        report = await purge_expired(s, now=START + timedelta(days=400), retention_days=365)
        assert report.participants_erased == 1
        assert await s.scalar(select(Participant.id)) is None
        consent = await s.scalar(select(ConsentRecord))
        assert (consent.participant_id, consent.recorded_by, consent.given) == (None, PIC, True)


async def test_the_target_role_is_checked_before_a_reason_is_asked(sessions, program) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, BENGKULU, "rm_desa", 0)
        meeting_id, desa, stakeholder = seated.meeting_id, await role_id(s, "rm_desa"), await role_id(s, "stakeholder")
        assert (await check_target(s, meeting_id, stakeholder, moving_from=desa)).role.code == "stakeholder"
        # An addition may join a full role's waiting list; a move may not.
        assert (await check_target(s, meeting_id, desa)).full
        problems = []
        for target, moving_from in ((desa, stakeholder), (desa, desa), (10_000, None)):
            with pytest.raises(RosterError) as refused:
                await check_target(s, meeting_id, target, moving_from=moving_from)
            problems.append(refused.value.problem)
        assert problems == [RosterProblem.ROLE_FULL, RosterProblem.SAME_ROLE, RosterProblem.UNKNOWN_ROLE]
