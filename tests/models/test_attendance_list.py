"""Who is on a meeting's daftar hadir, and in which order: checked in by time, then the other seated by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.attendance_list import attendance_rows
from models.check_in import check_in
from models.registration import CheckInWay, RegistrationStatus
from models.seats import cancel
from tests.models.factories import T0, seat, seats

pytestmark = pytest.mark.usefixtures("program")

BENGKULU = "shm23-bengkulu"
# Bengkulu (WIB, UTC+7): 26 July 2023 09:00 local, 02:00 UTC.
START = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
PIC = 777


async def test_checked_in_people_come_first_by_time_then_the_seated_by_name(sessions) -> None:
    async with sessions() as s, s.begin():
        people = await seats(s, BENGKULU, "stakeholder", [1, 2, 3, 4], apart=timedelta(minutes=1))
        for registration, name in zip(
            people, ["Zainal Arifin", "ahmad Dahlan", "Budi Santoso", "Citra Kirana"], strict=True
        ):
            registration.full_name = name
        desa = await seat(s, BENGKULU, "rm_desa", 5)
        desa.full_name = "Ādi Wiranata"
        waiting = await seat(s, BENGKULU, "rm_desa", 6)
        assert waiting.status == RegistrationStatus.WAITLISTED
        await cancel(s, people[3].id, now=T0)
        # Someone at another meeting is on that meeting's list only.
        elsewhere = await seat(s, "shm23-jawa-barat", "stakeholder", 7)
        # Budi arrives at 08:10 WIB, Zainal at 08:40: Budi signs first.
        await check_in(s, people[2].id, way=CheckInWay.CODE, by=PIC, now=START - timedelta(minutes=50))
        await check_in(s, people[0].id, way=CheckInWay.CODE, by=PIC, now=START - timedelta(minutes=20))
        await s.flush()

        rows = await attendance_rows(s, people[0].meeting)

        assert [row.full_name for row in rows] == ["Budi Santoso", "Zainal Arifin", "Ādi Wiranata", "ahmad Dahlan"]
        ids = {row.registration_id for row in rows}
        assert waiting.id not in ids and people[3].id not in ids and elsewhere.id not in ids
        # The check-in time in the meeting's own zone; the others have none.
        first = rows[0].checked_in_at
        assert first is not None and first.utcoffset() == timedelta(hours=7) and (first.hour, first.minute) == (8, 10)
        assert [row.checked_in_at is None for row in rows] == [False, False, True, True]
        assert rows[0].institution == "Dinas Perpustakaan & Arsip" and rows[0].position == "Kepala Bidang"


async def test_a_meeting_nobody_holds_a_seat_at_has_an_empty_list(sessions) -> None:
    async with sessions() as s, s.begin():
        waiting = await seats(s, BENGKULU, "rm_desa", [1, 2])
        await cancel(s, waiting[0].id, now=T0)
        # The seat passed to the second person: they are on the list, the one who cancelled is not.
        assert [row.registration_id for row in await attendance_rows(s, waiting[0].meeting)] == [waiting[1].id]
        await cancel(s, waiting[1].id, now=T0)
        assert await attendance_rows(s, waiting[0].meeting) == []
