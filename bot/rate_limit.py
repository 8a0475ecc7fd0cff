"""A rate limiter that never sends more than N messages in any rolling second.

Telegram allows about 30 messages per second overall and 20 per minute per group, and answers
429 with ``retry_after`` above that. PTB's AIORateLimiter is a leaky bucket (aiolimiter): it lets
a full burst through and then refills at the steady rate, so within one rolling second it can
send close to twice the limit and a large fan-out runs into flood control. FloodLimiter keeps
a sliding window of start times instead: a send may start only while fewer than the limit
started within the last period (plus a small margin for clock and network jitter), so bursts up
to the limit are still immediate but no rolling window ever holds more than the limit.

Telegram's 429 does not say which limit it enforces: about 1 message a second into one chat, or
about 30 a second from the whole bot. The rule here: a 429 for a send to one chat holds back that
chat only, for its retry_after; a 429 for a second, different chat within CHATS_WINDOW seconds of
the first means the bot-wide limit, and holds back every send; so does a 429 for a send that names
no chat (an inline message's edit).

While the bot is busy, every chat gets a share. Sends queue first come, first served, so one chat
with several answers in a row (a person's burst: the answers to the updates the flood rule lets
through, then the slow-down note) takes the window's slots one after another, and other people's
answers queue behind them until the window's oldest sends leave it, up to a second. In
``benchmarks.flood`` the flooder's 8 answers reached the stand-in within 0.2 s, on top of
ten bystanders' answers (about 19 a second, in clusters of ten, as they write in step): the busiest
window (1.05 s) held all 30; with the share the flooder's sends spread over two seconds and the
busiest window held 25. So once the window holds ``busy_at`` sends, a chat that already
started ``chat_share`` sends within the window waits (outside the queue, so the sends behind it go
first) until its oldest send leaves the window or the window is no longer busy. An idle bot still
lets one chat burst: up to ``busy_at`` sends to one chat go at once (a long answer split into
several messages), and a fan-out to many chats, one or two messages each, never meets the share.
Telegram itself allows about one message a second into one chat, so the share costs a chat
nothing Telegram would have taken. Sends to one chat started at the same time (not one after the
other, as an update's answers are) keep no order while they wait for their share, as while a 429
holds their chat.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

_Result = bool | dict[str, Any] | list[dict[str, Any]]
_Callback = Callable[..., Coroutine[Any, Any, _Result]]

# Leave idle group windows alone until there are this many, then drop the empty ones, so a bot
# that has talked to thousands of groups does not keep a window per group forever.
_GROUP_WINDOW_CACHE = 512
# Refusals for two different chats this close together are the bot-wide limit, not two chats' own:
# a flood of one chat is refused for that chat alone, and a few chats each sent to faster than
# once a second are not refused within the same second.
CHATS_WINDOW = 1.0


class SendSlots(Protocol):
    """A budget shared with other processes of the bot (`bot.send_budget`): where a send's turn comes from."""

    async def take(self) -> None:
        """Wait until this process may start one more message send."""

    async def hold(self, seconds: float) -> None:
        """Start no send anywhere for `seconds`."""


def is_limited_method(endpoint: str) -> bool:
    """Whether Telegram counts this Bot API method against the message flood limits.

    PTB passes the Bot API method name ("sendMessage", "editMessageText", "forwardMessages").
    This mirrors what the stand-in counts: sends, edits, copies and forwards; a chat action is
    not a message.
    """
    lowered = endpoint.lower()
    return lowered.startswith(("send", "edit", "copymessage", "forwardmessage")) and lowered != "sendchataction"


def group_key(chat_id: object) -> int | str | None:
    """The chat a group limit applies to, or None for a private chat or no chat at all.

    Negative ids are groups, supergroups and channels; ``@username`` only names supergroups and
    channels. An id given as a numeric string is the same chat as the number.
    """
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id if chat_id < 0 else None
    if isinstance(chat_id, str):
        if chat_id.startswith("@"):
            return chat_id
        try:
            number = int(chat_id)
        except ValueError:
            return None
        return number if number < 0 else None
    return None


def chat_key(chat_id: object) -> int | str | None:
    """The chat a send goes to, one value per chat (an id as a number or a numeric string is the same chat)."""
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str):
        try:
            return int(chat_id)
        except ValueError:
            return chat_id or None
    return None


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, without touching the deprecated int accessor.

    Since PTB 22.2 ``RetryAfter.retry_after`` warns unless PTB_TIMEDELTA is set; the exception
    always stores a timedelta in ``_retry_after``, so read that and fall back to the public
    attribute only if a future PTB renames it.
    """
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


class _SlidingWindow:
    """Start times of the sends within the last period."""

    __slots__ = ("max_rate", "period", "starts")

    def __init__(self, max_rate: int, period: float) -> None:
        self.max_rate = max_rate
        self.period = period
        self.starts: deque[float] = deque()

    def _forget_old(self, now: float) -> None:
        while self.starts and self.starts[0] <= now - self.period:
            self.starts.popleft()

    def wait_time(self, now: float) -> float:
        """Seconds until one more send fits (0 if it fits now)."""
        return self.time_below(self.max_rate, now)

    def time_below(self, count: int, now: float) -> float:
        """Seconds until the window holds fewer than `count` starts (0 if it does now)."""
        self._forget_old(now)
        if len(self.starts) < count:
            return 0.0
        # The window falls below `count` when the start that is `count`-th from the newest leaves it
        # (the oldest one, when the window holds exactly `count`).
        return self.starts[len(self.starts) - count] + self.period - now

    def record(self, now: float) -> None:
        self.starts.append(now)

    def is_idle(self, now: float) -> bool:
        self._forget_old(now)
        return not self.starts


class _GroupSlot:
    """A group chat's window and the lock that queues its senders in order."""

    __slots__ = ("lock", "window")

    def __init__(self, max_rate: int, period: float) -> None:
        self.lock = asyncio.Lock()
        self.window = _SlidingWindow(max_rate, period)


class FloodLimiter(BaseRateLimiter[int]):
    """Throttles message sends to at most ``overall_max_rate`` per rolling ``period``.

    Message methods (see :func:`is_limited_method`) wait their turn in FIFO order; group chats
    additionally get ``group_max_rate`` per rolling ``group_period``. Every other endpoint
    (getMe, answerCallbackQuery, setMyCommands, ...) is never delayed; PTB itself never passes
    getUpdates through a rate limiter.

    On a 429 the chat it was for is held back until ``retry_after`` has passed, or every message
    send when it was the bot-wide limit (see the module's docstring), and the refused request is
    retried, at most ``max_retries`` times (``rate_limit_args`` overrides it per call; 0 means
    no retry); after that the RetryAfter propagates.

    While the overall window holds ``busy_at`` sends or more, a chat may start at most
    ``chat_share`` sends per ``period``, so one chat's run of answers cannot take the slots other
    chats' answers need (see the module's docstring); ``chat_share=0`` turns that off.
    """

    __slots__ = (
        "_busy_at",
        "_chat_sends",
        "_chat_share",
        "_chats_held_until",
        "_group_max_rate",
        "_group_period",
        "_groups",
        "_margin",
        "_max_retries",
        "_overall",
        "_overall_lock",
        "_paused_until",
        "_refusals",
        "_shared",
    )

    def __init__(
        self,
        *,
        overall_max_rate: int = 30,
        period: float = 1.0,
        margin: float = 0.05,
        group_max_rate: int = 20,
        group_period: float = 60.0,
        max_retries: int = 3,
        busy_at: int = 15,
        chat_share: int = 3,
        shared: SendSlots | None = None,
    ) -> None:
        if overall_max_rate < 1 or period <= 0:
            raise ValueError("overall_max_rate must be >= 1 and period > 0")
        if group_max_rate < 0 or group_period < 0 or margin < 0 or max_retries < 0:
            raise ValueError("group_max_rate, group_period, margin and max_retries must be >= 0")
        if busy_at < 1 or chat_share < 0:
            raise ValueError("busy_at must be >= 1 and chat_share >= 0")
        self._margin = margin
        # The server's window is `period` measured at its end; widening ours by the margin keeps
        # a send that reaches the server a little late from sharing a window with one that
        # reached it early.
        self._overall = _SlidingWindow(overall_max_rate, period + margin)
        self._group_max_rate = group_max_rate
        self._group_period = group_period + margin if group_max_rate and group_period else 0.0
        self._groups: dict[int | str, _GroupSlot] = {}
        self._max_retries = max_retries
        # Created lazily: the limiter may be built outside the loop it will run in.
        self._overall_lock: asyncio.Lock | None = None
        # A deadline rather than an Event, so overlapping 429s extend the pause to the latest
        # retry_after instead of the first one to expire releasing everybody.
        self._paused_until = 0.0
        # Deadlines of the chats a 429 holds back, and the recent refusals (when, chat) that tell a
        # chat's own limit from the bot-wide one.
        self._chats_held_until: dict[int | str, float] = {}
        self._refusals: deque[tuple[float, int | str]] = deque()
        # Each chat's sends within the overall window, for its share while the bot is busy.
        self._busy_at = busy_at
        self._chat_share = chat_share
        self._chat_sends: dict[int | str, _SlidingWindow] = {}
        # Other instances' sends count too: each send also takes a slot of the shared budget.
        self._shared = shared

    async def initialize(self) -> None:
        """Start as if the window were full: Telegram still counts what a previous run sent just before."""
        # A process restarted right after a crash would otherwise burst into the old run's second
        # and meet flood control (seen in the SIGKILL fan-out test: 20-30 429s).
        loop = asyncio.get_running_loop()
        self._paused_until = loop.time() + self._overall.period

    async def shutdown(self) -> None:
        """Forget the windows, so a restarted bot does not wait for sends of a previous run."""
        self._overall.starts.clear()
        self._groups.clear()
        self._overall_lock = None
        self._paused_until = 0.0
        self._chats_held_until.clear()
        self._refusals.clear()
        self._chat_sends.clear()

    @property
    def in_window(self) -> int:
        """How many message sends the overall window currently holds (for tests and metrics)."""
        return len(self._overall.starts)

    async def process_request(
        self,
        callback: _Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Result:
        """Call ``callback`` when the flood limits allow it, retrying after 429s."""
        max_retries = self._max_retries if rate_limit_args is None else rate_limit_args
        limited = is_limited_method(endpoint)
        group = group_key(data.get("chat_id")) if limited else None
        chat = chat_key(data.get("chat_id")) if limited else None
        attempt = 0
        while True:
            if limited:
                await self._acquire(group, chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= max_retries:
                    log.warning("flood control: %s refused after %d retries", endpoint, max_retries)
                    raise
                attempt += 1
                delay = retry_after_seconds(exc) + self._margin
                loop = asyncio.get_running_loop()
                if limited:
                    if self._hold(chat, loop.time(), delay, endpoint, attempt, max_retries) and self._shared:
                        await self._shared.hold(delay)
                else:
                    # Not a message method: wait for this call only, leave the send queue running.
                    log.info(
                        "flood control: %s got 429, retrying in %.2f s (retry %d of %d)",
                        endpoint,
                        delay,
                        attempt,
                        max_retries,
                    )
                    await asyncio.sleep(delay)

    def _hold(
        self, chat: int | str | None, now: float, delay: float, endpoint: str, attempt: int, max_retries: int
    ) -> bool:
        """Hold back the refused chat, or every send when the refusal was the bot-wide limit (then True)."""
        while self._refusals and self._refusals[0][0] <= now - CHATS_WINDOW:
            self._refusals.popleft()
        several_chats = chat is not None and any(other != chat for _, other in self._refusals)
        if chat is not None:
            self._refusals.append((now, chat))
        if chat is None or several_chats:
            # The bot-wide limit: every queued send would get the same answer.
            self._paused_until = max(self._paused_until, now + delay)
            log.info(
                "flood control: %s got 429, pausing every message send for %.2f s (retry %d of %d)",
                endpoint,
                delay,
                attempt,
                max_retries,
            )
            return True
        if len(self._chats_held_until) >= _GROUP_WINDOW_CACHE:
            for key, until in list(self._chats_held_until.items()):
                if until <= now:
                    del self._chats_held_until[key]
        self._chats_held_until[chat] = max(self._chats_held_until.get(chat, 0.0), now + delay)
        log.info(
            "flood control: %s got 429 for one chat, holding that chat for %.2f s (retry %d of %d)",
            endpoint,
            delay,
            attempt,
            max_retries,
        )
        return False

    def _chat_wait(self, chat: int | str | None, now: float) -> float:
        """Seconds the chat is still held back for (0 if it is not)."""
        return 0.0 if chat is None else self._chats_held_until.get(chat, 0.0) - now

    def _share_wait(self, chat: int | str | None, now: float) -> float:
        """Seconds until the chat may start one more send, as far as its share goes (0 if it may now).

        Only while the bot is busy: the chat waits until its oldest send in the window leaves it,
        or until the window holds fewer than ``busy_at`` sends, whichever comes first.
        """
        if chat is None or not self._chat_share:
            return 0.0
        sends = self._chat_sends.get(chat)
        if sends is None:
            return 0.0
        return min(sends.wait_time(now), self._overall.time_below(self._busy_at, now))

    def _record_chat(self, chat: int | str | None, now: float) -> None:
        if chat is None or not self._chat_share:
            return
        sends = self._chat_sends.get(chat)
        if sends is None:
            if len(self._chat_sends) >= _GROUP_WINDOW_CACHE:
                for key, other in list(self._chat_sends.items()):
                    if other.is_idle(now):
                        del self._chat_sends[key]
            sends = self._chat_sends[chat] = _SlidingWindow(self._chat_share, self._overall.period)
        sends.record(now)

    async def _acquire(self, group: int | str | None, chat: int | str | None = None) -> None:
        """Wait until one more message send fits every window that applies, then count it."""
        if group is not None and self._group_period:
            slot = self._group_slot(group)
            # Holding the group's lock while queueing for the overall one keeps that group's
            # sends in order without making other chats wait behind a slow group.
            async with slot.lock:
                await self._acquire_overall(slot.window, chat)
        else:
            await self._acquire_overall(None, chat)

    async def _acquire_overall(self, group_window: _SlidingWindow | None, chat: int | str | None) -> None:
        if self._overall_lock is None:
            self._overall_lock = asyncio.Lock()
        loop = asyncio.get_running_loop()
        while True:
            # Waiting for a held chat, a chat's share or a group outside the overall lock: other
            # chats keep sending meanwhile.
            while (wait := max(self._chat_wait(chat, loop.time()), self._share_wait(chat, loop.time()))) > 0:
                await asyncio.sleep(wait)
            if group_window is not None:
                while (wait := group_window.wait_time(loop.time())) > 0:
                    await asyncio.sleep(wait)
            # asyncio.Lock wakes waiters first come, first served, so a long fan-out cannot starve
            # a later reply and vice versa.
            async with self._overall_lock:
                while True:
                    now = loop.time()
                    wait = max(self._paused_until - now, self._overall.wait_time(now))
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                if self._chat_wait(chat, now) > 0 or self._share_wait(chat, now) > 0:
                    # Another send to this chat was refused while this one queued, or the bot got busy
                    # and the chat has had its share: wait again, unstamped, and let the sends behind go.
                    continue
                if self._shared is not None:
                    # Last, once every local rule lets the send go, so a slot taken is a slot used.
                    await self._shared.take()
                    now = loop.time()
                # Both windows only lose entries while we wait (we hold the group's lock), so the
                # group check above still holds; stamp both with the same instant.
                self._overall.record(now)
                self._record_chat(chat, now)
                if group_window is not None:
                    group_window.record(now)
                return

    def _group_slot(self, group: int | str) -> _GroupSlot:
        slot = self._groups.get(group)
        if slot is not None:
            return slot
        if len(self._groups) >= _GROUP_WINDOW_CACHE:
            now = asyncio.get_running_loop().time()
            for key, other in list(self._groups.items()):
                if not other.lock.locked() and other.window.is_idle(now):
                    del self._groups[key]
        slot = _GroupSlot(self._group_max_rate, self._group_period)
        self._groups[group] = slot
        return slot
