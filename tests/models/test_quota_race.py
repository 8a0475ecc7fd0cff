"""Quotas hold under simultaneous claims from separate sessions and separate processes."""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import timedelta

from sqlalchemy import select

from bot.database import create_engine, session_factory
from models.participant import Participant
from models.registration import Registration, RegistrationStatus
from models.seats import AlreadyRegistered, register
from tests.models.factories import T0, load_shipped_program, make_participant, meeting_and_role

CLAIMANTS = 50


async def _claim(sessions, person_id: int, role_code: str = "stakeholder") -> None:
    async with sessions() as s, s.begin():
        meeting, role = await meeting_and_role(s, "shm23-aceh", role_code)
        person = await s.get(Participant, person_id)
        await register(s, participant=person, meeting=meeting, role=role, now=T0 + timedelta(hours=1))


async def _prepare(sessions, count: int) -> list[int]:
    async with sessions() as s, s.begin():
        await load_shipped_program(s)
        return [(await make_participant(s, n)).id for n in range(count)]


async def _outcome(sessions) -> list[Registration]:
    async with sessions() as s:
        return list(await s.scalars(select(Registration).order_by(Registration.id)))


def _assert_quota_held(registrations: list[Registration], seats: int, claimants: int) -> None:
    seated = [r for r in registrations if r.status == RegistrationStatus.SEATED]
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    assert (len(seated), len(waiting)) == (seats, claimants - seats)
    assert len({r.participant_id for r in registrations}) == claimants
    # Arrival order: everyone seated claimed before everyone waiting.
    assert max(r.id for r in seated) < min(r.id for r in waiting)


async def test_fifty_sessions_race_for_eighteen_seats(engine) -> None:
    sessions = session_factory(engine)
    people = await _prepare(sessions, CLAIMANTS)
    # Each claim runs on its own connection, as concurrent bot processes would.
    own_engines = [create_engine(str(engine.url.render_as_string(hide_password=False))) for _ in range(5)]
    try:
        await asyncio.gather(*(_claim(session_factory(own_engines[i % 5]), pid) for i, pid in enumerate(people)))
    finally:
        for own in own_engines:
            await own.dispose()
    _assert_quota_held(await _outcome(sessions), seats=18, claimants=CLAIMANTS)


async def test_the_last_seats_go_to_exactly_as_many(engine) -> None:
    sessions = session_factory(engine)
    people = await _prepare(sessions, 25)
    for pid in people[:15]:
        await _claim(sessions, pid)
    await asyncio.gather(*(_claim(sessions, pid) for pid in people[15:]))
    _assert_quota_held(await _outcome(sessions), seats=18, claimants=25)


async def test_one_person_racing_for_two_roles_gets_one(engine) -> None:
    sessions = session_factory(engine)
    [pid] = await _prepare(sessions, 1)
    results = await asyncio.gather(
        _claim(sessions, pid, "stakeholder"), _claim(sessions, pid, "tim_sinergi"), return_exceptions=True
    )
    assert sum(isinstance(r, AlreadyRegistered) for r in results) == 1
    assert len(await _outcome(sessions)) == 1


def _claim_in_process(url: str, person_ids: list[int]) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await asyncio.gather(*(_claim(session_factory(engine), pid) for pid in person_ids))
        finally:
            await engine.dispose()

    asyncio.run(run())


async def test_processes_race_for_the_seats(engine) -> None:
    sessions = session_factory(engine)
    people = await _prepare(sessions, CLAIMANTS)
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_claim_in_process, args=(url, people[i::4])) for i in range(4)]
    for worker in workers:
        worker.start()
    await asyncio.gather(*(asyncio.to_thread(worker.join, 60) for worker in workers))
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    _assert_quota_held(await _outcome(sessions), seats=18, claimants=CLAIMANTS)
