"""N seated people, each with exactly one reminder due at the same instant: a reminder fan-out.

Used by `benchmarks.reminders` and by `tests/e2e/test_restart.py`. The shipped program is
loaded, the meetings used are moved to start two hours after the reminder is due (so they are
ahead and open for registration), people are seated through `models.seats.register()`
(30 to a meeting, filling every role's quota) and everything that planned for them is dropped
except one reminder each, which is moved to the given instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.database import create_engine, migrate, session_factory
from bot.settings import DEFAULT_PROGRAM_FILE, database_url
from models.outbox import MessageKind, OutboxMessage, OutboxStatus
from models.participant import Participant
from models.program import Meeting, Program, Role, RoleQuota
from models.program_file import apply_program, read_program_file
from models.registration import Registration, RegistrationStatus
from models.seats import register

SEATS_PER_MEETING = 30
FIRST_USER_ID = 500_000
# Registering this long before the reminder is due plans every reminder of the default plan.
REGISTERED_BEFORE = timedelta(days=10)
# The meetings start this long after the reminder is due.
STARTS_AFTER = timedelta(hours=2)


async def seed_fanout(url: str, people: int, due_at: datetime, *, first_user_id: int = FIRST_USER_ID) -> list[int]:
    """Seat `people` people and give each one reminder due at `due_at`; returns their Telegram user ids.

    `url` is a sqlite:// or postgresql:// URL of a database that holds no registrations yet.
    Telegram user ids (and private chat ids) are first_user_id, first_user_id + 1, …
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be aware")
    due_at = due_at.astimezone(UTC)
    registered_at = due_at - REGISTERED_BEFORE
    starts_at = due_at + STARTS_AFTER
    engine = create_engine(database_url(url))
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            if await session.scalar(select(Program.id).limit(1)) is None:
                await apply_program(session, read_program_file(DEFAULT_PROGRAM_FILE), now=registered_at)
            needed = -(-people // SEATS_PER_MEETING)
            meetings = list(
                await session.scalars(
                    select(Meeting).where(Meeting.listed.is_(True)).order_by(Meeting.code).limit(needed)
                )
            )
            if len(meetings) < needed:
                raise ValueError(f"{people} people need {needed} meetings; the program has {len(meetings)}")
            for meeting in meetings:
                meeting.starts_at, meeting.ends_at = starts_at, starts_at + timedelta(hours=7)
                meeting.registration_opens_at = meeting.registration_closes_at = None
            roles = {role.id: role for role in await session.scalars(select(Role))}
            participants = [
                Participant(
                    telegram_user_id=first_user_id + n,
                    chat_id=first_user_id + n,
                    full_name=f"Peserta {n}",
                    institution="Dinas Perpustakaan & Arsip",
                    position="Kepala Bidang",
                    phone_e164=f"+62813{n:07d}",
                    created_at=registered_at,
                    updated_at=registered_at,
                )
                for n in range(people)
            ]
            session.add_all(participants)
            await session.flush()
            waiting = iter(participants)
            # register() flushes each registration itself (in a savepoint); without autoflush the
            # outbox rows it plans are inserted in batches at those flushes, not one query each.
            with session.no_autoflush:
                for meeting in meetings:
                    quotas = await session.scalars(
                        select(RoleQuota).where(RoleQuota.meeting_id == meeting.id).order_by(RoleQuota.role_id)
                    )
                    seats = [roles[quota.role_id] for quota in quotas for _ in range(quota.seats)]
                    for role in seats[:SEATS_PER_MEETING]:
                        participant = next(waiting, None)
                        if participant is None:
                            break
                        registration = await register(
                            session, participant=participant, meeting=meeting, role=role, now=registered_at
                        )
                        if registration.status != RegistrationStatus.SEATED:
                            raise RuntimeError(f"{meeting.code} had no seat for {role.code}")
            if next(waiting, None) is not None:
                raise RuntimeError("the meetings' quotas hold fewer seats than people")
            await session.flush()

            ours = select(Registration.id).where(Registration.meeting_id.in_([m.id for m in meetings]))
            kept = list(
                await session.scalars(
                    select(func.min(OutboxMessage.id))
                    .where(OutboxMessage.registration_id.in_(ours), OutboxMessage.kind == MessageKind.REMINDER)
                    .group_by(OutboxMessage.registration_id)
                )
            )
            if len(kept) != people:
                raise RuntimeError(f"{len(kept)} of {people} people have a reminder planned")
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.registration_id.in_(ours), OutboxMessage.id.not_in(kept))
                .values(status=OutboxStatus.OBSOLETE)
                .execution_options(synchronize_session=False)
            )
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(kept))
                .values(due_at=due_at, expires_at=starts_at, status=OutboxStatus.PENDING)
                .execution_options(synchronize_session=False)
            )
    finally:
        await engine.dispose()
    return [first_user_id + n for n in range(people)]
