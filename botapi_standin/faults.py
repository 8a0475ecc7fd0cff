"""Fault injection (fail/delay the next call of a method) and the optional flood limit."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import DEFAULT_DESCRIPTIONS, ApiError, too_many_requests


@dataclass(slots=True)
class _Failure:
    """A queued refusal for a method."""

    error: ApiError
    times: int
    chat_id: int | None = None


@dataclass(slots=True)
class _Delay:
    """A queued hang for a method."""

    seconds: float
    times: int
    chat_id: int | None = None


class FaultInjector:
    """Queues of failures and delays keyed by lower-cased method name ("*" matches any)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, deque[_Delay]] = {}

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 2,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next `times` calls of method (to chat_id, if given) fail with status (429 carries retry_after)."""
        if status == 429:
            error = too_many_requests(retry_after)
            if description:
                error.description = description
        else:
            error = ApiError(status, description or DEFAULT_DESCRIPTIONS.get(status, f"Error {status}"))
        self._failures.setdefault(method.lower(), deque()).append(_Failure(error, times, chat_id))

    def delay_next(self, method: str, seconds: float, times: int = 1, chat_id: int | None = None) -> None:
        """Make the next `times` calls of method (to chat_id, if given) hang for `seconds` before being answered."""
        self._delays.setdefault(method.lower(), deque()).append(_Delay(seconds, times, chat_id))

    def take_failure(self, method: str, chat_id: object = None) -> ApiError | None:
        """Consume one queued failure for this method (and chat), if any."""
        return _take(self._failures, method, chat_id, lambda f: f.error)

    def take_delay(self, method: str, chat_id: object = None) -> float:
        """Consume one queued delay for this method (and chat); 0 if none."""
        return _take(self._delays, method, chat_id, lambda d: d.seconds) or 0.0


Queued = TypeVar("Queued", _Failure, _Delay)
Taken = TypeVar("Taken")


def _take(
    queues: dict[str, deque[Queued]], method: str, chat_id: object, value: Callable[[Queued], Taken]
) -> Taken | None:
    """Use once the first queued entry for method or "*" that applies to the chat."""
    for key in (method.lower(), "*"):
        for entry in queues.get(key, ()):
            if entry.chat_id is not None and str(entry.chat_id) != str(chat_id):
                continue
            entry.times -= 1
            if entry.times <= 0:
                queues[key].remove(entry)
            return value(entry)
    return None


def is_message_method(method: str) -> bool:
    """Methods that count against Telegram's message flood limits."""
    lowered = method.lower()
    return lowered.startswith(("send", "edit", "copymessage", "forwardmessage")) and lowered != "sendchataction"


class RateLimiter:
    """Refuses message sends above N per rolling second with 429, like Telegram's flood control."""

    def __init__(self, per_second: int | None) -> None:
        self.per_second = per_second
        self._sent: deque[float] = deque()
        self.refused = 0

    def check(self, method: str, now: float) -> None:
        """Raise 429 if sending now would exceed the limit; otherwise count the send."""
        if not self.per_second or not is_message_method(method):
            return
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.popleft()
        if len(self._sent) >= self.per_second:
            self.refused += 1
            raise too_many_requests(max(1, math.ceil(self._sent[0] + 1.0 - now)))
        self._sent.append(now)
