"""Where the bot reads the time, so that tests and demos can set it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever the clock jumps (time passing by itself is no jump)."""


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def subscribe(self, callback: Callable[[], None]) -> None:
        """The real time never jumps: nobody is ever told."""


class _MovableClock:
    """A clock that can be moved by hand and tells its subscribers when it is."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever the clock is moved."""
        self._subscribers.append(callback)

    def _moved(self) -> None:
        for callback in self._subscribers:
            callback()


class FrozenClock(_MovableClock):
    """A clock that stands still until moved; for tests.

    Whoever waits for a moment (the outbox sender) subscribes, and is told when the clock moves,
    since no real time passes.
    """

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        super().__init__()
        self._now = now.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now.astimezone(UTC)
        self._moved()

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        self._moved()


class OffsetClock(_MovableClock):
    """The real time plus an offset that only grows; for the demo's fast-forward.

    Time runs on as usual between jumps; it never goes back, since what was sent stays sent.
    """

    def __init__(self, offset: timedelta = timedelta(0), *, real: Clock | None = None) -> None:
        super().__init__()
        if offset < timedelta(0):
            raise ValueError("the offset cannot be negative")
        self._real = real or SystemClock()
        self.offset = offset

    def now(self) -> datetime:
        return self._real.now() + self.offset

    def advance(self, delta: timedelta) -> None:
        """Jump forward by `delta`."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta
        self._moved()

    def set(self, moment: datetime) -> None:
        """Jump forward to `moment`."""
        if moment.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self.advance(moment - self.now())
