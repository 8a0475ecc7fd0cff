"""What several bot processes on one database coordinate through: job leases and one send budget.

Two or more instances of the bot may share one PostgreSQL behind a load balancer. Each timed job
(the outbox, the alert check, the digests, the retention purge) must run in one of them at a time,
and together they must not send more than Telegram's 30 messages a second. Both are decided by
rows here, so a crashed instance holds nothing for longer than its lease.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


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
    """

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)
