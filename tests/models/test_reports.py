"""Recaps, rosters and the national recap, on both databases, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select, update

from models.alert_rules import AlertRules
from models.attendance import answer_attendance
from models.program import Meeting, Program, listed_meetings
from models.registration import Registration, RegistrationStatus
from models.reports import meeting_recap, national_recap, roster
from models.seats import cancel
from tests.models.factories import T0, meeting_and_role, seats

# Six days before Bengkulu's meeting (26 July 2023, 09:00 WIB): inside the 14-day at-risk window.
NEAR_BENGKULU = datetime(2023, 7, 20, 3, 0, tzinfo=UTC)
# People register a minute apart.
APART = timedelta(minutes=1)


async def test_meeting_recap_counts_every_role(sessions, program) -> None:
    async with sessions() as s, s.begin():
        # Tim Sinergi: 5 seats, 7 people: 5 seated and 2 waiting; one seat cancelled promotes the first.
        sinergi = await seats(s, "shm23-aceh", "tim_sinergi", range(7), T0, APART)
        await cancel(s, sinergi[0].id, now=T0 + timedelta(hours=1))
        await seats(s, "shm23-aceh", "stakeholder", range(10, 13), T0, APART)
        meeting, _ = await meeting_and_role(s, "shm23-aceh", "tim_sinergi")
        # Two of the seated say they will come, one says not (Aceh's date is not set: no reminders).
        await s.execute(
            update(Registration).where(Registration.id.in_([sinergi[1].id, sinergi[2].id])).values(attendance=True)
        )
        await s.execute(update(Registration).where(Registration.id == sinergi[3].id).values(attendance=False))
        recap = await meeting_recap(s, meeting, now=T0)
    roles = {r.role.code: r for r in recap.roles}
    assert [r.role.code for r in recap.roles][:3] == ["tim_sinergi", "stakeholder", "fasilitator"]
    sinergi_row = roles["tim_sinergi"]
    assert (
        sinergi_row.seats,
        sinergi_row.seated,
        sinergi_row.confirmed,
        sinergi_row.waitlisted,
        sinergi_row.held,
        sinergi_row.seats_left,
    ) == (5, 5, 2, 1, 0, 0)
    assert (roles["stakeholder"].seated, roles["stakeholder"].seats_left) == (3, 15)
    assert (roles["pemustaka"].seats, roles["pemustaka"].seated, roles["pemustaka"].seats_left) == (1, 0, 1)
    assert (recap.total("seats"), recap.total("seated"), recap.total("waitlisted")) == (30, 8, 1)
    # An undated meeting is never at risk.
    assert not recap.at_risk


async def test_offered_seats_are_held_and_at_risk_follows_the_alert_rule(sessions, program) -> None:
    async with sessions() as s, s.begin():
        # The attendance question has gone out (3 days before): a freed seat is offered, not given.
        regs = await seats(s, "shm23-bengkulu", "fasilitator", range(4), T0, APART)
        late = datetime(2023, 7, 24, 3, 0, tzinfo=UTC)
        await answer_attendance(s, regs[0].id, will_attend=False, now=late)
        meeting, _ = await meeting_and_role(s, "shm23-bengkulu", "fasilitator")
        far = await meeting_recap(s, meeting, now=T0)
        near = await meeting_recap(s, meeting, now=late)
    fasilitator = {r.role.code: r for r in near.roles}["fasilitator"]
    assert (fasilitator.seated, fasilitator.held, fasilitator.waitlisted, fasilitator.seats_left) == (1, 1, 1, 0)
    assert (fasilitator.taken, near.total("taken")) == (2, 2)
    # Three weeks ahead nothing is at risk; within 14 days every empty role lags, the held seat counts as taken.
    assert not far.at_risk
    assert "fasilitator" not in near.lagging_role_codes
    assert {"stakeholder", "tim_sinergi", "pemustaka", "rm_desa"} <= set(near.lagging_role_codes)


async def test_recaps_follow_the_programs_alert_rules(sessions, program) -> None:
    async with sessions() as s, s.begin():
        # This program looks 30 days ahead (the default is 14): Bengkulu, 25 days away, is at risk already.
        await s.execute(update(Program).values(alert_rules=AlertRules(lagging_days=30).to_json()))
        meeting, _ = await meeting_and_role(s, "shm23-bengkulu", "stakeholder")
        recap = await meeting_recap(s, meeting, now=T0)
        national = {r.meeting_code: r for r in await national_recap(s, now=T0)}
    assert recap.at_risk and national["shm23-bengkulu"].lagging_role_codes == recap.lagging_role_codes


async def test_roster_orders_roles_status_and_queue_in_local_time(sessions, program) -> None:
    async with sessions() as s, s.begin():
        await seats(s, "shm23-aceh", "pemustaka", range(3), T0, APART)
        await seats(s, "shm23-aceh", "tim_sinergi", range(10, 12), T0 + timedelta(hours=2), APART)
        cancelled = await seats(s, "shm23-aceh", "stakeholder", range(20, 21), T0, APART)
        await cancel(s, cancelled[0].id, now=T0 + timedelta(hours=3))
        # Another meeting's people are not on this roster.
        await seats(s, "shm23-bengkulu", "pemustaka", range(30, 32), T0, APART)
        meeting, _ = await meeting_and_role(s, "shm23-aceh", "pemustaka")
        rows = await roster(s, [meeting])
    assert [(r.role_code, r.status, r.waitlist_position, r.full_name) for r in rows] == [
        ("tim_sinergi", RegistrationStatus.SEATED, None, "Peserta 10"),
        ("tim_sinergi", RegistrationStatus.SEATED, None, "Peserta 11"),
        ("pemustaka", RegistrationStatus.SEATED, None, "Peserta 0"),
        ("pemustaka", RegistrationStatus.WAITLISTED, 1, "Peserta 1"),
        ("pemustaka", RegistrationStatus.WAITLISTED, 2, "Peserta 2"),
    ]
    first = rows[2]
    assert (first.institution, first.position, first.phone_e164, first.province_name) == (
        "Dinas Perpustakaan & Arsip",
        "Kepala Bidang",
        "+628120000000",
        "Aceh",
    )
    # Aceh is WIB: 03:00 UTC is 10:00 local.
    assert first.registered_at.utcoffset() == timedelta(hours=7)
    assert (first.registered_at.hour, first.registered_at.minute) == (10, 0)


async def test_national_recap_reads_every_meeting_in_few_queries(sessions, engine, program) -> None:
    async with sessions() as s, s.begin():
        await seats(s, "shm23-bengkulu", "stakeholder", range(20), NEAR_BENGKULU - timedelta(days=10), APART)
        await seats(s, "shm23-aceh", "pemustaka", range(100, 102), T0, APART)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with sessions() as s, s.begin():
            recaps = await national_recap(s, now=NEAR_BENGKULU)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    async with sessions() as s:
        listed = await s.scalar(select(Meeting.id).where(Meeting.listed.is_(True)).limit(1))
        assert listed is not None
        expected = [m.code for m in await listed_meetings(s)]
    assert [r.meeting_code for r in recaps] == expected and len(recaps) == 38
    # Meetings, quotas and counts: no query per meeting (BEGIN IMMEDIATE may add one on SQLite).
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) == 3
    by_code = {r.meeting_code: r for r in recaps}
    bengkulu = by_code["shm23-bengkulu"]
    assert (bengkulu.total("seated"), bengkulu.total("waitlisted")) == (18, 2)
    assert bengkulu.at_risk and "stakeholder" not in bengkulu.lagging_role_codes
    assert by_code["shm23-aceh"].total("waitlisted") == 1 and not by_code["shm23-aceh"].at_risk


async def test_a_later_registration_never_changes_what_an_earlier_meetings_roster_shows(sessions, program) -> None:
    from models.alerts import names_of
    from models.participant import upsert_participant
    from models.seats import register

    async def siti(s, institution: str, position: str):
        return await upsert_participant(
            s,
            telegram_user_id=42,
            chat_id=42,
            full_name="Dr. Siti Rahma, M.Hum.",
            institution=institution,
            position=position,
            phone_e164="+6281234567890",
            now=T0,
        )

    async with sessions() as s, s.begin():
        jabar, role = await meeting_and_role(s, "shm23-jawa-barat", "stakeholder")
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "stakeholder")
        person = await siti(s, "Dinas Perpustakaan & Kearsipan", "Kepala Bidang")
        first = await register(s, participant=person, meeting=jabar, role=role, now=T0)
        person = await siti(s, "Perpustakaan Aceh", "Pustakawan")
        await register(s, participant=person, meeting=aceh, role=role, now=T0)
    async with sessions() as s:
        [row] = await roster(s, [await s.get(Meeting, jabar.id)])
        [other] = await roster(s, [await s.get(Meeting, aceh.id)])
        names = await names_of(s, {first.id})
    assert (row.institution, row.position) == ("Dinas Perpustakaan & Kearsipan", "Kepala Bidang")
    assert (other.institution, other.position) == ("Perpustakaan Aceh", "Pustakawan")
    assert names == {first.id: "Dr. Siti Rahma, M.Hum."}
