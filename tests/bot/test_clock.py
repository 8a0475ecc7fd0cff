"""The clocks the bot can be given: the demo's runs in real time and jumps forward on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock, OffsetClock

MOMENT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_the_offset_clock_runs_with_real_time_plus_its_offset() -> None:
    real = FrozenClock(MOMENT)
    clock = OffsetClock(timedelta(hours=3), real=real)
    assert clock.now() == MOMENT + timedelta(hours=3)
    real.advance(timedelta(minutes=5))
    assert clock.now() == MOMENT + timedelta(hours=3, minutes=5)


def test_jumps_tell_subscribers_and_add_to_the_offset() -> None:
    clock = OffsetClock(real=FrozenClock(MOMENT))
    told: list[datetime] = []
    clock.subscribe(lambda: told.append(clock.now()))
    clock.advance(timedelta(days=1))
    clock.set(MOMENT + timedelta(days=7, hours=2))
    assert told == [MOMENT + timedelta(days=1), MOMENT + timedelta(days=7, hours=2)]
    assert clock.offset == timedelta(days=7, hours=2)


def test_the_offset_clock_never_goes_back() -> None:
    clock = OffsetClock(real=FrozenClock(MOMENT))
    told: list[datetime] = []
    clock.subscribe(lambda: told.append(clock.now()))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="forward"):
        clock.set(MOMENT - timedelta(hours=1))
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 12, 1))
    with pytest.raises(ValueError, match="negative"):
        OffsetClock(timedelta(seconds=-1))
    assert clock.now() == MOMENT and told == []


def test_the_offset_clock_reads_the_system_time_by_default() -> None:
    before = datetime.now(UTC)
    now = OffsetClock(timedelta(days=2)).now()
    assert before + timedelta(days=2) <= now <= datetime.now(UTC) + timedelta(days=2)
