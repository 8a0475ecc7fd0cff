"""Checking people in: once, only seats, only on the day (the committee) or in the hours (themself)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.check_in import (
    CORRECTION_PERIOD,
    CheckInOutcome,
    attendance_count,
    check_in,
    checkin_code,
    registration_of_code,
)
from models.meeting_day_settings import CHECKIN_PREFIX
from models.registration import CheckInWay, RegistrationStatus
from models.seats import cancel
from tests.models.factories import seat, seats

pytestmark = pytest.mark.usefixtures("program")

# Bengkulu (WIB, UTC+7), 26 July 2023 09:00-16:00 local: 02:00-09:00 UTC.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
END = datetime(2023, 7, 26, 9, 0, tzinfo=UTC)
PIC = 777


async def test_a_seat_has_a_code_once_and_a_waiting_person_none(sessions) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, "shm23-bengkulu", "rm_desa", 1)
        waiting = await seat(s, "shm23-bengkulu", "rm_desa", 2)
        code = await checkin_code(s, seated)
        assert code is not None and code.startswith(CHECKIN_PREFIX) and len(code) <= 64
        assert await checkin_code(s, seated) == code
        assert await checkin_code(s, waiting) is None
        assert (await registration_of_code(s, code)).id == seated.id
        assert await registration_of_code(s, CHECKIN_PREFIX + "forged") is None
        assert await registration_of_code(s, "shm23-bengkulu") is None


@pytest.mark.parametrize(
    ("now", "way", "outcome"),
    [
        # The committee: from midnight of the day (17:00 UTC the day before), until the correction period ends.
        (datetime(2023, 7, 25, 16, 59, tzinfo=UTC), CheckInWay.CODE, CheckInOutcome.TOO_EARLY),
        (datetime(2023, 7, 25, 17, 0, tzinfo=UTC), CheckInWay.CODE, CheckInOutcome.CHECKED_IN),
        (END + CORRECTION_PERIOD - timedelta(seconds=1), CheckInWay.ROSTER, CheckInOutcome.CHECKED_IN),
        (END + CORRECTION_PERIOD, CheckInWay.ROSTER, CheckInOutcome.TOO_LATE),
        # The person themself: an hour before the start until the end.
        (START - timedelta(hours=1, seconds=1), CheckInWay.PROJECTOR, CheckInOutcome.TOO_EARLY),
        (START - timedelta(hours=1), CheckInWay.PROJECTOR, CheckInOutcome.CHECKED_IN),
        (END - timedelta(seconds=1), CheckInWay.ONLINE, CheckInOutcome.CHECKED_IN),
        (END, CheckInWay.ONLINE, CheckInOutcome.TOO_LATE),
    ],
)
async def test_when_people_may_be_checked_in(sessions, now, way, outcome) -> None:
    async with sessions() as s, s.begin():
        registration = await seat(s, "shm23-bengkulu", "stakeholder", 1)
        by = None if way in (CheckInWay.PROJECTOR, CheckInWay.ONLINE) else PIC
        result = await check_in(s, registration.id, way=way, by=by, now=now)
        assert result is not None and result.outcome == outcome
        assert (registration.checked_in_at is not None) == (outcome == CheckInOutcome.CHECKED_IN)


async def test_twice_is_once_and_the_count_and_audit_say_so(sessions) -> None:
    async with sessions() as s, s.begin():
        first, second = await seats(s, "shm23-bengkulu", "stakeholder", [1, 2])
        done = await check_in(s, first.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert done is not None and (done.outcome, done.checked_in, done.seats) == (CheckInOutcome.CHECKED_IN, 1, 30)
        again = await check_in(s, first.id, way=CheckInWay.ROSTER, by=PIC + 1, now=START + timedelta(hours=1))
        assert again is not None and again.outcome == CheckInOutcome.ALREADY and again.checked_in == 1
        assert (first.checked_in_at, first.checked_in_by, first.checked_in_via) == (START, PIC, CheckInWay.CODE)
        assert await attendance_count(s, first.meeting_id) == (1, 30)
        audits = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "checked_in"))).all()
        assert [(a.registration_id, a.details["correction"]) for a in audits] == [(first.id, False)]
        # After the end: a correction, audited as such.
        late = await check_in(s, second.id, way=CheckInWay.ROSTER, by=PIC, now=END + timedelta(days=1))
        assert late is not None and late.outcome == CheckInOutcome.CHECKED_IN
        audits = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "checked_in"))).all()
        assert audits[-1].details == {"via": "roster", "correction": True}


async def test_no_seat_no_check_in(sessions) -> None:
    async with sessions() as s, s.begin():
        seated = await seat(s, "shm23-bengkulu", "rm_desa", 1)
        waiting = await seat(s, "shm23-bengkulu", "rm_desa", 2)
        code = await checkin_code(s, seated)
        await cancel(s, seated.id, now=START - timedelta(days=10))
    async with sessions() as s, s.begin():
        cancelled = await registration_of_code(s, code)
        assert cancelled is not None
        result = await check_in(s, cancelled.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert result is not None and result.outcome == CheckInOutcome.CANCELLED
        # The freed seat went to the person waiting, who can now be checked in.
        promoted = await check_in(s, waiting.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert promoted is not None and promoted.outcome == CheckInOutcome.CHECKED_IN
        assert await check_in(s, 999_999, way=CheckInWay.CODE, by=PIC, now=START) is None


async def test_two_scans_at_once_record_one(sessions) -> None:
    async with sessions() as s, s.begin():
        registration_id = (await seat(s, "shm23-bengkulu", "stakeholder", 1)).id

    async def scan(by: int) -> CheckInOutcome:
        async with sessions() as s, s.begin():
            result = await check_in(s, registration_id, way=CheckInWay.CODE, by=by, now=START)
            assert result is not None
            return result.outcome

    outcomes = await asyncio.gather(scan(PIC), scan(PIC + 1))
    assert sorted(outcomes) == [CheckInOutcome.ALREADY, CheckInOutcome.CHECKED_IN]


async def test_a_seat_removed_after_its_check_in_no_longer_counts(sessions) -> None:
    async with sessions() as s, s.begin():
        first, second = await seats(s, "shm23-bengkulu", "stakeholder", [1, 2])
        for registration in (first, second):
            await check_in(s, registration.id, way=CheckInWay.CODE, by=PIC, now=START)
        assert await attendance_count(s, first.meeting_id) == (2, 30)
        # A correction after the meeting took the seat away; the check-in time stays on record.
        second.status = RegistrationStatus.CANCELLED
        await s.flush()
        assert await attendance_count(s, first.meeting_id) == (1, 30)


async def test_a_scan_that_looked_the_code_up_first_still_finds_the_check_in_another_made_meanwhile(
    sessions, db_url
) -> None:
    # The staff scan looks the code up, then checks in: another PIC's check-in committed in between
    # must be seen under the lock, not the registration as the first lookup held it.
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has one connection per process: no second transaction commits in between")
    async with sessions() as s, s.begin():
        code = await checkin_code(s, await seat(s, "shm23-bengkulu", "stakeholder", 1))
        assert code is not None
    async with sessions() as first, first.begin():
        looked_up = await registration_of_code(first, code)
        assert looked_up is not None and looked_up.checked_in_at is None
        async with sessions() as other, other.begin():
            done = await check_in(other, looked_up.id, way=CheckInWay.CODE, by=PIC + 1, now=START)
            assert done is not None and done.outcome == CheckInOutcome.CHECKED_IN
        result = await check_in(first, looked_up.id, way=CheckInWay.CODE, by=PIC, now=START + timedelta(minutes=1))
        assert result is not None and result.outcome == CheckInOutcome.ALREADY
        assert looked_up.checked_in_by == PIC + 1 and looked_up.checked_in_at == START
