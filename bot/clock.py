"""Where the bot reads the time, so that tests and demos can set it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved; for tests and demos.

    Whoever waits for a moment (the outbox sender) subscribes, and is told when the clock moves,
    since no real time passes.
    """

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = now.astimezone(UTC)
        self._subscribers: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now.astimezone(UTC)
        self._moved()

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        self._moved()

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever the clock is moved."""
        self._subscribers.append(callback)

    def _moved(self) -> None:
        for callback in self._subscribers:
            callback()
