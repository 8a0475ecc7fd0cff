"""The outbox sender: delivers due outbox rows when `bot.scheduler` runs its outbox job.

The database holds what is planned (`models.outbox`); when the sender runs, and what domain work
it does in its claim transaction first, is listed in `bot.scheduler`.

Sending respects Telegram's limits through the bot's rate limiter (`bot.rate_limit`). A person
who blocked the bot is marked unreachable and not tried again; a 429 that gets through the
limiter's own retries puts the message back for its `retry_after`; timeouts and server errors are
retried with growing pauses (`models.outbox.retry_at`).

A message's files left to build (`handlers.common.Build`, a certificate's PDF) are built in the
file worker (`bot.file_worker`) after the claim's transaction, just before the message is sent:
a render of a few hundred milliseconds never holds the event loop or a transaction.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from bot.rate_limit import retry_after_seconds
from handlers.common import FileRunner, Reply, build_files, send
from handlers.planned_messages import render
from handlers.staff_messages import render_staff
from handlers.texts import Texts
from models.attendance import reason_not_to_send
from models.conversation import languages_of
from models.outbox import (
    EARLIEST_PLANNED,
    OutboxMessage,
    OutboxStatus,
    claim_due,
    mark_missed,
    record_outcome,
    retry_at,
)
from models.reachability import set_reachable

log = logging.getLogger(__name__)

# Messages claimed at once: also the most a crash can make a person receive twice.
BATCH = 30


class DomainCall(Protocol):
    """A domain function that does what time brings: works on the session, which its caller commits."""

    def __call__(self, session: AsyncSession, *, now: datetime) -> Awaitable[object]: ...


def _recipient(message: OutboxMessage) -> int:
    """The Telegram user the message goes to."""
    if message.registration is not None:
        return message.registration.participant.telegram_user_id
    assert message.recipient_user_id is not None, f"outbox message {message.id} has no recipient"
    return message.recipient_user_id


def _fault(exc: BaseException) -> str:
    """An exception's type and where it was raised; never its message, which may quote a person's details."""
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} at {where.filename}:{where.lineno}"


def _name_of(work: DomainCall) -> str:
    function = getattr(work, "func", work)  # a functools.partial names its function
    return getattr(function, "__qualname__", repr(function))


@dataclass(frozen=True)
class _Outgoing:
    message_id: int
    telegram_user_id: int
    reply: Reply
    attempts: int


class OutboxSender:
    """Sends the outbox; `bot.scheduler` runs it one run at a time per process."""

    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        lease: timedelta,
        files: FileRunner,
        before_claim: Sequence[DomainCall] = (),
    ) -> None:
        self._bot = bot
        self._files = files
        self._sessions = sessions
        self._clock = clock
        self._lease = lease
        self._before_claim = tuple(before_claim)
        # Claimed and not yet recorded: what `bot.scheduler.Scheduler.stop` puts back if sending ends early.
        self._holding: set[int] = set()

    @property
    def holding(self) -> frozenset[int]:
        """The ids of the messages this sender claimed and has not recorded an outcome for."""
        return frozenset(self._holding)

    def forget(self, ids: Iterable[int]) -> None:
        """Stop counting these messages as held (they were put back)."""
        self._holding.difference_update(ids)

    async def deliver(self, stopping: Callable[[], bool] = lambda: False) -> Counter[OutboxStatus]:
        """Send everything due now, or up to the end of a batch once `stopping` says so; how many rows ended how."""
        report: Counter[OutboxStatus] = Counter()
        await self._drain(report, stopping)
        if report:
            log.info("outbox: %s", ", ".join(f"{n} {status.value}" for status, n in sorted(report.items())))
        return report

    async def _drain(self, report: Counter[OutboxStatus], stopping: Callable[[], bool]) -> None:
        while not stopping():
            outgoing, claimed, planned = await self._claim(report)
            if not claimed and not planned:
                return
            report.update(await asyncio.gather(*(self._send(item) for item in outgoing)))

    async def _claim(self, report: Counter[OutboxStatus]) -> tuple[list[_Outgoing], int, bool]:
        """Claim a batch and render it; messages no longer wanted are recorded and dropped.

        Also says whether the transaction planned messages (the work done before the claim, a
        digest rendered), which may be due at once: then the sender claims again.
        """
        outgoing: list[_Outgoing] = []
        async with self._sessions() as session, session.begin():
            now = self._clock.now()
            # Before the claim, in the same transaction: a hold that ran out is lapsed before any
            # message about it is checked, and what the work plans due now goes out in this batch.
            for work in self._before_claim:
                try:
                    # A savepoint each, as for a message below: work that fails (a bug, a row it
                    # trips on) is logged and tried again next sweep, and the outbox still sends.
                    async with session.begin_nested():
                        await work(session, now=now)
                except Exception as exc:
                    log.error("outbox: work before sending (%s) failed: %s", _name_of(work), _fault(exc))
            report[OutboxStatus.MISSED] += await mark_missed(session, now)
            claimed = await claim_due(session, now=now, lease=self._lease, limit=BATCH)
            username = self._bot_username()
            languages = await languages_of(session, [_recipient(m) for m in claimed])
            for message in claimed:
                user_id = _recipient(message)
                texts = Texts(languages.get(user_id))
                try:
                    # A savepoint each: a message that cannot be rendered (a bug, a row it needs gone)
                    # is put off alone, and the rest of the batch still goes out.
                    async with session.begin_nested():
                        reply, reason = await self._render(session, message, texts, now, username)
                except Exception as exc:
                    again_at = retry_at(message.attempts, now)
                    log.error("outbox message %d could not be rendered: %s", message.id, _fault(exc))
                    status = OutboxStatus.FAILED if again_at is None else OutboxStatus.PENDING
                    await record_outcome(
                        session, message.id, status, now=now, error=f"render: {type(exc).__name__}", retry_at=again_at
                    )
                    report[status] += 1
                    continue
                if reason is not None or reply is None:
                    reason = reason or OutboxStatus.OBSOLETE
                    message.status, message.lease_until = reason, None
                    report[reason] += 1
                    continue
                outgoing.append(_Outgoing(message.id, user_id, reply, message.attempts))
        # Once committed: the claim is this sender's until each outcome is recorded.
        self._holding.update(item.message_id for item in outgoing)
        return outgoing, len(claimed), EARLIEST_PLANNED in session.info

    async def _render(
        self, session: AsyncSession, message: OutboxMessage, texts: Texts, now: datetime, username: str | None
    ) -> tuple[Reply | None, OutboxStatus | None]:
        """The message as its recipient will read it, or why it is not sent (None, None: nothing left to say)."""
        if message.registration is None:
            # A PIC's or organizer's message: its renderer knows whether it is still wanted.
            reply = await render_staff(session, message, texts, now)
            return reply, OutboxStatus.OBSOLETE if reply is None else None
        reason = reason_not_to_send(message, message.registration, now)
        if reason is not None:
            return None, reason
        return await render(session, message, message.registration, texts, now, bot_username=username), None

    def _bot_username(self) -> str | None:
        """The bot's username (for links to itself), known once the bot is initialised."""
        try:
            return self._bot.username
        except RuntimeError:
            return None

    async def _send(self, item: _Outgoing) -> OutboxStatus:
        """Build the message's files, send it and record the outcome (PENDING: to be tried again)."""
        try:
            reply = await build_files(item.reply, self._files)
        except Exception as exc:
            # A file that failed to build is tried again later, as after a timeout.
            # The error's kind only: its message may quote what the file says.
            later = retry_at(item.attempts, self._clock.now())
            status = OutboxStatus.FAILED if later is None else OutboxStatus.PENDING
            return await self._record(item, status, f"build: {type(exc).__name__}", later)
        again_at: datetime | None = None
        error: str | None = None
        try:
            await send(self._bot, reply)
            status = OutboxStatus.SENT
        except Forbidden as exc:
            status, error = OutboxStatus.UNREACHABLE, f"Forbidden: {exc.message}"
        except RetryAfter as exc:
            # The rate limiter waited and retried already; this row waits the pause Telegram asked for.
            status, error = OutboxStatus.PENDING, "RetryAfter"
            again_at = self._clock.now() + timedelta(seconds=retry_after_seconds(exc))
        except BadRequest as exc:
            status, error = OutboxStatus.FAILED, f"BadRequest: {exc.message}"
        except TelegramError as exc:
            # Timeouts and server errors: the message may or may not have arrived; try again later.
            error = f"{type(exc).__name__}: {exc.message}"
            again_at = retry_at(item.attempts, self._clock.now())
            status = OutboxStatus.FAILED if again_at is None else OutboxStatus.PENDING
        return await self._record(item, status, error, again_at)

    async def _record(
        self, item: _Outgoing, status: OutboxStatus, error: str | None, again_at: datetime | None
    ) -> OutboxStatus:
        async with self._sessions() as session, session.begin():
            now = self._clock.now()
            await record_outcome(session, item.message_id, status, now=now, error=error, retry_at=again_at)
            if status == OutboxStatus.UNREACHABLE:
                await set_reachable(session, item.telegram_user_id, False, now=now)
        self._holding.discard(item.message_id)
        if error is not None:
            log.info("outbox message %d: %s (%s)", item.message_id, status.value, error.split(":")[0])
        return status
