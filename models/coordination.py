"""What several bot processes on one database coordinate through: job leases and one send budget.

Two or more instances of the bot may share one PostgreSQL behind a load balancer. Each timed job
(the outbox, the alert check, the digests, the retention purge) must run in one of them at a time,
and together they must not send more than Telegram's 30 messages a second. Both are decided by
rows here, so a crashed instance holds nothing for longer than its lease.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Float, String, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, changed_rows


class JobLease(Base):
    """Which instance runs a job now, until when, and whether another instance asked for a run meanwhile.

    A holder renews `until` while it works and clears `holder` when it is done; a lease whose `until`
    has passed is free, so an instance that died is replaced once its lease runs out. `again` is set by
    an instance that was woken for the job while another held it: the holder runs once more before it
    lets go, so the wake is not lost. `ran_at` is when a run last finished, so a repeating trigger that
    fires in every instance runs the job once per interval, not once per instance.
    """

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[datetime | None]
    again: Mapped[bool] = mapped_column(default=False)
    ran_at: Mapped[datetime | None]


class SendBudget(Base):
    """The next moment (seconds since the epoch) at which any instance may start a message to Telegram.

    Each send takes the next slot and moves it on by one interval (1/30 s for Telegram's overall
    limit), so the instances together start no more sends in any second than the budget allows.
    Used on PostgreSQL (`bot.send_budget`); one SQLite process keeps its own window instead.
    """

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)


def _free_or_mine(holder: str, now: datetime) -> ColumnElement[bool]:
    return or_(JobLease.holder.is_(None), JobLease.until <= now, JobLease.holder == holder)


async def take_lease(
    session: AsyncSession,
    name: str,
    holder: str,
    *,
    now: datetime,
    ttl: timedelta,
    not_ran_since: datetime | None = None,
    only_if_expired: bool = False,
) -> bool:
    """Make the job's lease `holder`'s until now+ttl if it is free, expired or `holder`'s already.

    `not_ran_since`: only if no run finished after that moment (a repeating trigger) or the holder is
    gone; `only_if_expired`: only from a holder that died (its `until` passed without a release).
    A lease taken clears `again`: the run that starts now serves the wakes asked for before it.
    """
    if only_if_expired:
        condition: ColumnElement[bool] = JobLease.holder.is_not(None) & (JobLease.until <= now)
    else:
        condition = _free_or_mine(holder, now)
        if not_ran_since is not None:
            recent = JobLease.holder.is_(None) & JobLease.ran_at.is_not(None) & (JobLease.ran_at > not_ran_since)
            condition = condition & ~recent
    taken = await changed_rows(
        session,
        update(JobLease)
        .where(JobLease.name == name, condition)
        .values(holder=holder, until=now + ttl, again=False)
        .execution_options(synchronize_session=False),
    )
    if taken or only_if_expired:
        return bool(taken)
    # The first run of this job ever: the row is made, unless another instance made it meanwhile.
    insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
    added = await session.execute(
        insert(JobLease)
        .values(name=name, holder=holder, until=now + ttl, again=False)
        .on_conflict_do_nothing(index_elements=[JobLease.name])
    )
    return cast(CursorResult[Any], added).rowcount == 1


async def ask_for_run(session: AsyncSession, name: str, holder: str, *, now: datetime) -> datetime | None:
    """Ask the instance that holds the job to run it once more; its `until`, or None if nobody holds it now."""
    return await session.scalar(
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder.is_not(None), JobLease.holder != holder, JobLease.until > now)
        .values(again=True)
        .returning(JobLease.until)
        .execution_options(synchronize_session=False)
    )


async def renew_lease(session: AsyncSession, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Keep `holder`'s lease until now+ttl; False if it is no longer `holder`'s (it ran out and was taken)."""
    renewed = await changed_rows(
        session,
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .values(until=now + ttl)
        .execution_options(synchronize_session=False),
    )
    return renewed == 1


async def release_lease(session: AsyncSession, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Record the run as finished and let go; True if a run was asked for meanwhile: then the lease stays
    `holder`'s (until now+ttl) and the caller runs once more.

    One statement, so a request for a run (`ask_for_run`) either lands before it (and is answered
    here) or finds the lease free (and its asker takes it): a wake is never lost.
    """
    kept = await session.execute(
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .values(
            holder=case((JobLease.again, JobLease.holder), else_=None),
            until=case((JobLease.again, now + ttl), else_=None),
            again=False,
            ran_at=now,
        )
        # The column itself: SQLite 3.40 answers an expression on it with the row's old value.
        .returning(JobLease.holder)
        .execution_options(synchronize_session=False)
    )
    row = kept.first()
    return row is not None and row.holder is not None


async def drop_leases(session: AsyncSession, holder: str) -> list[str]:
    """Let go of every lease `holder` holds, without recording a run (it stops); the jobs' names.

    A run asked for stays asked for (`again`): whoever takes the lease next runs the job.
    """
    return list(
        await session.scalars(
            update(JobLease)
            .where(JobLease.holder == holder)
            .values(holder=None, until=None)
            .returning(JobLease.name)
            .execution_options(synchronize_session=False)
        )
    )


async def lease_of(session: AsyncSession, name: str) -> JobLease | None:
    """The job's lease as it stands (fresh from the database)."""
    return await session.scalar(select(JobLease).where(JobLease.name == name).execution_options(populate_existing=True))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _greatest(session: AsyncSession, column: Any, value: float) -> ColumnElement[float]:
    # SQLite's max() of two arguments is PostgreSQL's greatest().
    greatest = func.greatest if _dialect(session) == "postgresql" else func.max
    return cast(ColumnElement[float], greatest(column, value))


async def reserve_sends(session: AsyncSession, name: str, *, now: float, interval: float, count: int = 1) -> float:
    """Take the budget's next `count` slots, `interval` seconds apart, none before `now`; the first's start.

    One UPDATE … RETURNING: concurrent instances queue on the row, each getting slots after the last.
    """
    end: float | None = await session.scalar(
        update(SendBudget)
        .where(SendBudget.name == name)
        .values(next_at=_greatest(session, SendBudget.next_at, now) + interval * count)
        .returning(SendBudget.next_at)
        .execution_options(synchronize_session=False)
    )
    if end is None:
        insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
        await session.execute(
            insert(SendBudget).values(name=name, next_at=now).on_conflict_do_nothing(index_elements=[SendBudget.name])
        )
        return await reserve_sends(session, name, now=now, interval=interval, count=count)
    return float(end) - interval * count


async def hold_sends(session: AsyncSession, name: str, *, until: float) -> None:
    """Start no send before `until` (Telegram refused the whole bot: every instance waits)."""
    await session.execute(
        update(SendBudget)
        .where(SendBudget.name == name)
        .values(next_at=_greatest(session, SendBudget.next_at, until))
        .execution_options(synchronize_session=False)
    )
