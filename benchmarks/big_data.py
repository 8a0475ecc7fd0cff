"""A year of programs in one database: the shipped program copied N times, with registrations and their outbox.

    python -m benchmarks.big_data [--programs 40] [--registrations 50000] [--database-url URL] [--drop-schema]

Each copy of the shipped program keeps its roles, quotas and plans under a new code, and gets
new meeting codes and dates: the programs start 9 days apart and the last one 20 days from now,
so with 40 programs most meetings are over and a few programs are still ahead. The meetings are
loaded through `apply_program`; everything else is written with bulk Core inserts (one statement
per table), as a real year would leave it:

- participants with details (one in 50 added by a PIC, without Telegram) and their consent records;
- registrations spread over the meetings: about one in ten cancelled, the others seated while
  their role has seats (never more than its quota) and on the waiting list after;
- for a seated person: the reminders, the attendance question and nudge and the check-in code
  (sent when due before now, pending after); at a meeting that is over, the attendance answer,
  the check-in for most, and for those checked in a certificate and the evaluation's question
  (with their outbox rows), answered by most (anonymous responses and their scores);
- the first meeting of the last program is left empty: the benchmarks register people into it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.harness import benchmark_database
from bot.database import create_engine, migrate, session_factory
from bot.settings import DEFAULT_PROGRAM_FILE, database_url
from models.certificates import CERTIFICATE_SLOT, Certificate, certificate_number
from models.evaluation import ASK_PERIOD, EvaluationProgress, EvaluationResponse, EvaluationScore
from models.evaluation import SLOT as EVALUATION_SLOT
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.participant import CONSENT_TEXT_VERSION, ConsentRecord, Participant
from models.program import Meeting, Program, RoleQuota
from models.program_file import ProgramSpec, apply_program, read_program_file
from models.registration import CheckInWay, Registration, RegistrationStatus
from models.reminder_plan import ReminderPlan, Slot
from models.seat_schedule import start_key

# Telegram user ids of generated people: clear of the benchmarks' simulated people (100,000 …).
FIRST_USER_ID = 3_000_000
# The PIC who checked people in and added people by hand.
STAFF_USER_ID = 7_000
PROGRAM_SPACING = timedelta(days=9)
LAST_PROGRAM_AHEAD = timedelta(days=20)
# A participant registers for about 1.7 meetings over the year.
PEOPLE_PER_REGISTRATION = 0.6
CANCELLED_SHARE = 0.1
CHECKED_IN_SHARE = 0.85
EVALUATED_SHARE = 0.6
BY_HAND_EVERY = 50
INSTITUTIONS = ("Dinas Perpustakaan & Arsip", "Bappeda Kabupaten", "Perpustakaan Desa", "DPMPD Provinsi")
POSITIONS = ("Pustakawan Ahli Madya", "Kepala Bidang", "Analis Kebijakan", "Kepala Desa")


@dataclass(frozen=True)
class Generated:
    """What was written, and the empty upcoming meeting the benchmarks register people into."""

    burst_meeting: str
    counts: dict[str, int]
    seconds: float


def program_copies(spec: ProgramSpec, programs: int, now: datetime) -> list[ProgramSpec]:
    """The shipped program under new codes and dates: program p starts 9 days after program p - 1."""
    last_start = (now + LAST_PROGRAM_AHEAD).replace(hour=2, minute=0, second=0, microsecond=0)
    copies = []
    for p in range(programs):
        first = last_start - (programs - 1 - p) * PROGRAM_SPACING
        meetings = []
        for i, meeting in enumerate(spec.meetings):
            starts = first + timedelta(days=i % 14, hours=i % 3)
            meetings.append(
                replace(
                    meeting,
                    code=f"b{p:02d}-{meeting.code.removeprefix('shm23-')}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=7),
                    registration_opens_at=None,
                    registration_closes_at=None,
                )
            )
        copies.append(replace(spec, code=f"bench-{p:02d}", name=f"{spec.name} ({p + 1})", meetings=meetings))
    return copies


def _slot_rows(
    registration_id: int, kind: MessageKind, slot: Slot, now: datetime, created_at: datetime, key_suffix: str = ""
) -> dict[str, Any]:
    """A message as `models.outbox.plan` writes it (the same dedupe key), sent if it fell due before now."""
    sent = slot.due_at <= now
    return {
        "dedupe_key": f"{registration_id}:{kind.value}:{slot.name}:{key_suffix}",
        "kind": kind,
        "slot": slot.name,
        "registration_id": registration_id,
        "due_at": slot.due_at,
        "expires_at": slot.expires_at,
        "status": OutboxStatus.SENT if sent else OutboxStatus.PENDING,
        "attempts": 1 if sent else 0,
        "sent_at": slot.due_at if sent else None,
        "created_at": created_at,
    }


async def _insert_with_ids(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows under ids counted on from the table's highest; RETURNING in batches re-splices every batch."""
    first = (await session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    await _insert(session, model, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    if (await session.connection()).dialect.name == "postgresql":
        table = model.__tablename__
        await session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
    return ids


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """One Core executemany: the ORM's bulk path costs more per row than the database does."""
    if rows:
        connection = await session.connection()
        await connection.execute(insert(model.__table__), rows)


async def fill(session: AsyncSession, *, programs: int, registrations: int, now: datetime, seed: int = 14) -> Generated:
    """Load `programs` copies of the shipped program and about `registrations` registrations into an empty database."""
    started = time.perf_counter()
    rng = random.Random(seed)
    shipped = read_program_file(DEFAULT_PROGRAM_FILE)
    copies = program_copies(shipped, programs, now)
    for spec in copies:
        await apply_program(session, spec, now=now - timedelta(days=400))
    plans = {spec.code: spec.reminder_plan for spec in copies}
    program_codes = {program_id: code for program_id, code in await session.execute(select(Program.id, Program.code))}
    meetings = sorted(
        await session.scalars(select(Meeting).where(Meeting.program_id.in_(list(program_codes)))),
        key=lambda m: (m.starts_at, m.code),
    )
    burst = next(m for m in meetings if m.code == copies[-1].meetings[0].code)
    quotas: dict[int, list[tuple[int, int]]] = {}
    for meeting_id, role_id, seats in await session.execute(
        select(RoleQuota.meeting_id, RoleQuota.role_id, RoleQuota.seats).order_by(RoleQuota.id)
    ):
        quotas.setdefault(meeting_id, []).append((role_id, seats))
    filled = [m for m in meetings if m.id != burst.id]

    people = max(1, int(registrations * PEOPLE_PER_REGISTRATION))
    participant_rows = []
    for k in range(people):
        by_hand = k % BY_HAND_EVERY == BY_HAND_EVERY - 1
        participant_rows.append(
            {
                "telegram_user_id": None if by_hand else FIRST_USER_ID + k,
                "chat_id": None if by_hand else FIRST_USER_ID + k,
                "full_name": f"Peserta Umum {k}",
                "institution": INSTITUTIONS[k % len(INSTITUTIONS)],
                "position": POSITIONS[k % len(POSITIONS)],
                "phone_e164": f"+62812{k:08d}",
                "created_at": now - timedelta(days=400),
                "updated_at": now - timedelta(days=400),
            }
        )
    participant_ids = await _insert_with_ids(session, Participant, participant_rows)
    await _insert(
        session,
        ConsentRecord,
        [
            {
                "telegram_user_id": row["telegram_user_id"],
                "text_version": CONSENT_TEXT_VERSION,
                "given": True,
                "decided_at": row["created_at"],
                "participant_id": participant_id if row["telegram_user_id"] is None else None,
                "recorded_by": STAFF_USER_ID if row["telegram_user_id"] is None else None,
            }
            for participant_id, row in zip(participant_ids, participant_rows, strict=True)
        ],
    )

    # Consecutive registrations of one meeting go to consecutive people: nobody holds two in a meeting.
    registration_rows: list[dict[str, Any]] = []
    owners: list[Meeting] = []
    j = 0
    for n, meeting in enumerate(filled):
        assert meeting.starts_at is not None and meeting.ends_at is not None
        over = meeting.ends_at <= now
        roles = quotas[meeting.id]
        seated: Counter[int] = Counter()
        count = registrations // len(filled) + (1 if n < registrations % len(filled) else 0)
        for _ in range(count):
            k = j % people
            j += 1
            role_id = rng.choices([r for r, _ in roles], weights=[s for _, s in roles])[0]
            queued = min(meeting.starts_at - timedelta(days=rng.uniform(2, 60)), now - timedelta(hours=1))
            person = participant_rows[k]
            row: dict[str, Any] = {
                "participant_id": participant_ids[k],
                "meeting_id": meeting.id,
                "role_id": role_id,
                "queued_at": queued,
                "seated_at": None,
                "cancelled_at": None,
                "attendance": None,
                "attendance_at": None,
                "checkin_token": None,
                "checked_in_at": None,
                "checked_in_by": None,
                "checked_in_via": None,
                **{name: person[name] for name in ("full_name", "institution", "position", "phone_e164")},
            }
            if rng.random() < CANCELLED_SHARE:
                row["status"] = RegistrationStatus.CANCELLED
                row["cancelled_at"] = min(queued + timedelta(days=1), now)
            elif seated[role_id] < dict(roles)[role_id]:
                seated[role_id] += 1
                row["status"] = RegistrationStatus.SEATED
                row["seated_at"] = queued
                row["checkin_token"] = secrets.token_urlsafe(16)
                question, _ = plans[program_codes[meeting.program_id]].attendance_slots(meeting.starts_at, meeting.zone)
                if question.due_at <= queued:
                    # As `plan_seat_messages`: seated after the question went out, they are taken to come.
                    row["attendance"], row["attendance_at"] = True, queued
                if over:
                    if row["attendance"] is None:
                        answer = rng.random()
                        row["attendance"] = True if answer < 0.8 else (False if answer < 0.9 else None)
                        if row["attendance"] is not None:
                            row["attendance_at"] = max(question.due_at, queued)
                    if row["attendance"] is not False and rng.random() < CHECKED_IN_SHARE:
                        row["checked_in_at"] = meeting.starts_at + timedelta(minutes=rng.uniform(-30, 60))
                        row["checked_in_by"] = STAFF_USER_ID
                        row["checked_in_via"] = CheckInWay.CODE
            else:
                row["status"] = RegistrationStatus.WAITLISTED
            registration_rows.append(row)
            owners.append(meeting)
    registration_ids = await _insert_with_ids(session, Registration, registration_rows)

    outbox_rows: list[dict[str, Any]] = []
    certificate_rows: list[dict[str, Any]] = []
    certificate_messages: list[int] = []
    progress_rows: list[dict[str, Any]] = []
    response_rows: list[dict[str, Any]] = []
    response_scores: list[list[dict[str, Any]]] = []
    sequence: Counter[int] = Counter()
    questions = {spec.code: [q.code for q in spec.meeting_day.evaluation.questions] for spec in copies}
    for registration_id, row, meeting in zip(registration_ids, registration_rows, owners, strict=True):
        if row["status"] != RegistrationStatus.SEATED:
            continue
        assert meeting.starts_at is not None and meeting.ends_at is not None
        code = program_codes[meeting.program_id]
        plan: ReminderPlan = plans[code]
        # What `plan_seat_messages` planned when the person was seated: the slots still ahead then.
        question, nudge = plan.attendance_slots(meeting.starts_at, meeting.zone)
        slots = [
            *((MessageKind.REMINDER, s) for s in plan.reminder_slots(meeting.starts_at, meeting.zone)),
            (MessageKind.CHECKIN_CODE, plan.checkin_code_slot(meeting.starts_at, meeting.zone, meeting.ends_at)),
        ]
        if question.due_at > row["queued_at"]:
            slots.append((MessageKind.ATTENDANCE_QUESTION, question))
            if nudge.due_at > question.due_at:
                slots.append((MessageKind.ATTENDANCE_NUDGE, nudge))
        key = start_key(meeting)
        outbox_rows.extend(
            _slot_rows(registration_id, kind, slot, now, row["queued_at"], key)
            for kind, slot in slots
            if slot.due_at > row["queued_at"]
        )
        issued = min(meeting.ends_at + timedelta(hours=1), now)
        if row["checked_in_at"] is not None and meeting.ends_at <= now:
            sequence[meeting.id] += 1
            certificate_rows.append(
                {
                    "registration_id": registration_id,
                    "number": certificate_number(code, meeting.code, sequence[meeting.id]),
                    "verify_token": secrets.token_urlsafe(16),
                    "issued_at": issued,
                }
            )
            # Its subject is the certificate, whose id is known once the certificates are in.
            certificate_messages.append(len(outbox_rows))
            outbox_rows.append(
                _slot_rows(registration_id, MessageKind.CERTIFICATE, Slot(CERTIFICATE_SLOT, issued), now, issued)
            )
        # Everyone checked in with a chat is asked once the meeting has ended (else the bot asks them all at start).
        reachable = participant_rows[row["participant_id"] - participant_ids[0]]["chat_id"] is not None
        if row["checked_in_at"] is not None and meeting.ends_at <= now and reachable and questions[code]:
            asked = min(issued, now)
            finished = rng.random() < EVALUATED_SHARE
            progress_rows.append(
                {
                    "registration_id": registration_id,
                    "asked_at": asked,
                    "answers": {},
                    "finished_at": min(asked + timedelta(hours=1), now) if finished else None,
                }
            )
            outbox_rows.append(
                _slot_rows(
                    registration_id,
                    MessageKind.EVALUATION,
                    Slot(EVALUATION_SLOT, asked, meeting.ends_at + ASK_PERIOD),
                    now,
                    asked,
                )
            )
            if finished:
                day = asked.replace(hour=0, minute=0, second=0, microsecond=0)
                response_rows.append({"meeting_id": meeting.id, "comment": None, "submitted_on": day})
                response_scores.append([{"question_code": q, "score": rng.randint(3, 5)} for q in questions[code]])
    certificate_ids = await _insert_with_ids(session, Certificate, certificate_rows)
    for position, certificate_id in zip(certificate_messages, certificate_ids, strict=True):
        outbox_rows[position]["subject_id"] = certificate_id
    await _insert(session, OutboxMessage, [{"subject_id": None, **row} for row in outbox_rows])
    await _insert(session, EvaluationProgress, progress_rows)
    response_ids = await _insert_with_ids(session, EvaluationResponse, response_rows)
    await _insert(
        session,
        EvaluationScore,
        [
            {"response_id": response_id, **score}
            for response_id, scores in zip(response_ids, response_scores, strict=True)
            for score in scores
        ],
    )
    statuses = Counter(str(row["status"]) for row in registration_rows)
    counts = {
        "programs": len(copies),
        "meetings": len(meetings),
        "participants": len(participant_rows),
        "registrations": len(registration_rows),
        **{f"registrations {status}": n for status, n in sorted(statuses.items())},
        "checked in": sum(row["checked_in_at"] is not None for row in registration_rows),
        "certificates": len(certificate_rows),
        "evaluations asked": len(progress_rows),
        "evaluations answered": len(response_rows),
        "outbox rows": len(outbox_rows),
        "outbox pending": sum(row["status"] == OutboxStatus.PENDING for row in outbox_rows),
    }
    return Generated(burst.code, counts, time.perf_counter() - started)


async def generate(url: str, *, programs: int, registrations: int, now: datetime | None = None) -> Generated:
    """Migrate the (empty) database at `url` and fill it in one transaction."""
    engine = create_engine(database_url(url))
    try:
        await migrate(engine)
        async with session_factory(engine)() as session, session.begin():
            return await fill(session, programs=programs, registrations=registrations, now=now or datetime.now(UTC))
    finally:
        await engine.dispose()


async def main(url: str | None, programs: int, registrations: int, drop: bool) -> None:
    async with benchmark_database(url, drop=drop) as url:
        generated = await generate(url, programs=programs, registrations=registrations)
    print(
        f"generated in {generated.seconds:.1f} s (database {url.split(':')[0]}); empty meeting {generated.burst_meeting}"
    )
    for name, count in generated.counts.items():
        print(f"{name:<28} {count:>8}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=40)
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--drop-schema", action="store_true", help="empty the PostgreSQL database's public schema first"
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.database_url, arguments.programs, arguments.registrations, arguments.drop_schema))
