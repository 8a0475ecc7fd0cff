"""Concurrent update processing that keeps each person's updates in order here, and one person's flood to them.

Across instances sharing one database, the person's conversation row lock and the applied update
ids (models.conversation) apply each update once and one at a time; this keeps a person's updates
from queueing on that lock, and in their order of arrival here.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.common import HANDLING, Handling

log = logging.getLogger(__name__)

SlowDownNote = Callable[[Update], Awaitable[None]]


@dataclass(frozen=True)
class HandledUpdate:
    """One update's handling, as logged and counted: no ids of people, only of the update."""

    update_id: int | None
    kind: str
    # The callback's name, "none" if no handler took it.
    handler: str
    # "ok", "error", "skipped-duplicate", "lost-answer", "skipped-flood", "unhandled" (no handler took it).
    outcome: str
    seconds: float


UpdateObserver = Callable[[HandledUpdate], None]

# PTB's process_update (final) holds a slot of the base class's semaphore around do_process_update,
# so updates queued behind their person's lock would each hold one: 64 updates of one person took
# every slot. The base semaphore is made wide enough never to wait; the real limit is `_slots`,
# taken only once the person's lock is held. PTB starts a task per update whatever the semaphore
# says, so this admits no more work than before.
_UNBOUNDED = sys.maxsize
# Forget the flood state of people at rest once there are this many, so a bot that has talked to
# many thousands of people keeps no state for each one forever.
_STATE_CACHE = 1024
# The handler named on the log line of a flood's skipped update that got the slow-down note instead.
SLOW_DOWN_NOTE = "slow_down_note"


@dataclass(frozen=True)
class FloodRule:
    """How many updates a person may send before waiting for the bot's answers.

    Someone who waits for each answer, as a person does (or a script that does), always has at most
    one update in flight, and is never held back. An update that arrives while `backlog` of that
    person's updates still wait or run is a burst: it spends one of `burst` tokens, refilled at
    `per_second`. A burst update with no token left is skipped, and the person is flooding: every
    update of theirs needs a token (the backlog no longer lets any through) until their tokens are
    full again. The first skipped update gets the slow-down note instead, then no other note for
    `note_interval` seconds.
    """

    backlog: int = 2
    burst: int = 5
    per_second: float = 1.0
    note_interval: float = 30.0


@dataclass
class _Allowance:
    """A person's tokens, when they were counted, whether they flood, and when they were last told to slow down."""

    tokens: float
    counted_at: float
    flooding: bool = False
    noted_at: float | None = None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different people at once, and one person's updates one after another.

    A registration is a sequence of steps; handling a person's second message before their
    first would break it. Different people need not wait for each other, so a burst of
    registrations is not served one database round-trip at a time. A person's queued updates
    wait on that person's lock and hold no slot; only the one running holds one, so a flood
    from one chat cannot occupy the slots everybody else needs.

    Skipped updates (see FloodRule) are not handled at all: never applied, and their ids not
    recorded, since a database write for each would cost what skipping a flood saves. Telegram
    counts them delivered at the next getUpdates (or webhook answer) like any other. Only the ids
    applied are kept, so should Telegram deliver a skipped update again after a crash, it is taken
    as new: admitted or skipped by the flood rule again, and if admitted applied then, after the
    person's later updates, like any update that reaches an instance late. The note asks the
    person to send again, one at a time, what they meant.
    """

    def __init__(self, max_concurrent_updates: int, rule: FloodRule | None = None) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("`max_concurrent_updates` must be a positive integer!")
        super().__init__(_UNBOUNDED)
        self._limit = max_concurrent_updates
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._rule = rule or FloodRule()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._allowances: dict[int, _Allowance] = {}
        # Set once the application exists (bot.app): sends the slow-down note for an update.
        self.slow_down_note: SlowDownNote | None = None
        # Set once the application exists (bot.app): counts each handled update (bot.metrics).
        self.observe: UpdateObserver | None = None
        self._running = 0
        self.skipped = 0

    @property
    def max_concurrent_updates(self) -> int:
        """How many updates run at once (updates waiting for their person's turn not counted)."""
        # Read by the base __init__ before _limit exists, for the semaphore it never waits on.
        return getattr(self, "_limit", _UNBOUNDED)

    @property
    def current_concurrent_updates(self) -> int:
        """How many updates are running now."""
        return self._running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Each update runs in a task of its own (or one after another in the fetcher's): the handlers
        # write into this update's Handling, reset afterwards.
        handling = Handling()
        token = HANDLING.set(handling)
        loop = asyncio.get_running_loop()
        timing = [loop.time()]
        try:
            await self._process(update, coroutine, handling, timing)
        except Exception:
            handling.outcome = handling.outcome or "error"
            raise
        finally:
            HANDLING.reset(token)
            self._report(update, handling, loop.time() - timing[-1])

    def _report(self, update: object, handling: Handling, seconds: float) -> None:
        """Log the update's one "update handled" line and count it."""
        handled = HandledUpdate(
            update.update_id if isinstance(update, Update) else None,
            update_kind(update),
            handling.handler or "none",
            handling.outcome or ("ok" if handling.handler else "unhandled"),
            seconds,
        )
        log.info(
            "update handled",
            extra={
                "update_id": handled.update_id,
                "kind": handled.kind,
                "handler": handled.handler,
                "duration_ms": round(seconds * 1000, 1),
                "outcome": handled.outcome,
            },
        )
        if self.observe is not None:
            self.observe(handled)

    async def _process(
        self, update: object, coroutine: Awaitable[Any], handling: Handling, timing: list[float]
    ) -> None:
        key = _sequence_key(update)
        if key is None:
            await self._run(coroutine, timing)
            return
        waiting = self._waiting.get(key, 0)
        if isinstance(update, Update) and _is_answered(update) and not self._admit(key, waiting):
            _discard(coroutine)
            handling.outcome = "skipped-flood"
            note = self._note_instead(key, update, handling)
            if note is None:
                return
            coroutine = note
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = waiting + 1
        try:
            async with lock:
                await self._run(coroutine, timing)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key]
                del self._locks[key]

    async def _run(self, coroutine: Awaitable[Any], timing: list[float] | None = None) -> None:
        async with self._slots:
            if timing is not None:
                # The handler's time starts here: waiting for the person's turn or a slot is not its latency.
                timing.append(asyncio.get_running_loop().time())
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    def _admit(self, key: int, waiting: int) -> bool:
        """Whether the update is handled: the person waits for answers, or has a token left for a burst."""
        rule = self._rule
        now = asyncio.get_running_loop().time()
        allowance = self._allowances.get(key)
        if allowance is not None:
            allowance.tokens = min(float(rule.burst), allowance.tokens + (now - allowance.counted_at) * rule.per_second)
            allowance.counted_at = now
            if allowance.tokens >= rule.burst:
                allowance.flooding = False
        if waiting < rule.backlog and (allowance is None or not allowance.flooding):
            return True
        if allowance is None:
            if len(self._allowances) >= _STATE_CACHE:
                self._forget_people_at_rest(now)
            allowance = self._allowances[key] = _Allowance(float(rule.burst), now)
        if allowance.tokens >= 1:
            allowance.tokens -= 1
            return True
        allowance.flooding = True
        return False

    def _note_instead(self, key: int, update: Update, handling: Handling) -> Awaitable[None] | None:
        """The note to send in place of a skipped update, if this person has not just been sent one.

        The update's one log line tells which: handler `slow_down_note` when the note went in its place."""
        self.skipped += 1
        allowance = self._allowances[key]
        now = asyncio.get_running_loop().time()
        if self.slow_down_note is None or (
            allowance.noted_at is not None and now - allowance.noted_at < self._rule.note_interval
        ):
            return None
        allowance.noted_at = now
        handling.handler = SLOW_DOWN_NOTE
        return self.slow_down_note(update)

    def _forget_people_at_rest(self, now: float) -> None:
        rule = self._rule
        for key, allowance in list(self._allowances.items()):
            refilled = allowance.tokens + (now - allowance.counted_at) * rule.per_second >= rule.burst
            noted_long_ago = allowance.noted_at is None or now - allowance.noted_at >= rule.note_interval
            if refilled and noted_long_ago and key not in self._waiting:
                del self._allowances[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def update_kind(update: object) -> str:
    """What the update carries ("message", "callback_query", "my_chat_member", …), from Telegram's fixed list."""
    if not isinstance(update, Update):
        return "other"
    return next((str(kind) for kind in Update.ALL_TYPES if getattr(update, kind, None) is not None), "unknown")


def _is_answered(update: Update) -> bool:
    """Whether the bot answers this kind of update (a flood of them costs a message each).

    Membership changes (blocked, unblocked) are recorded silently and never skipped.
    """
    return update.message is not None or update.edited_message is not None or update.callback_query is not None


def _discard(coroutine: Awaitable[Any]) -> None:
    """Drop an update's handling that will never run, without Python warning it was never awaited."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()


def _sequence_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None
