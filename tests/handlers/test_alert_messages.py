"""Digests stay one Telegram message however much there is to say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.alert_messages import _fit
from handlers.planned_messages import time_left
from handlers.texts import Texts
from models.alerts import FreedBy


def test_lines_that_do_not_fit_are_counted_instead() -> None:
    texts = Texts("id")
    lines = [f"• Pertemuan {n}: " + "Stakeholder Provinsi 0/18, " * 8 for n in range(60)]
    text = _fit(["Ringkasan"], lines, "national_more", texts)
    assert len(text.encode("utf-16-le")) // 2 <= 4096
    shown = text.count("• Pertemuan")
    assert 0 < shown < 60 and text.endswith(f"… dan {60 - shown} pertemuan lain.")
    assert _fit(["Ringkasan"], lines[:2], "national_more", texts).count("• Pertemuan") == 2


def test_every_cause_of_a_freed_seat_reads_differently_in_both_languages() -> None:
    for language in ("id", "en"):
        texts = Texts(language)
        said = {texts.plain(f"alerts_cause_{cause}", name="Budi", role="Pemustaka") for cause in FreedBy}
        assert len(said) == len(FreedBy)


def test_time_left_rounds_to_the_nearest_day_halves_up() -> None:
    texts = Texts("id")
    start = datetime(2023, 7, 26, 2, 0, tzinfo=UTC)
    assert time_left(start, start - timedelta(days=7, hours=20), texts) == "8 hari lagi"
    assert time_left(start, start - timedelta(days=6, hours=12), texts) == "7 hari lagi"
    assert time_left(start, start - timedelta(days=7, hours=11), texts) == "7 hari lagi"
    assert time_left(start, start - timedelta(hours=2, minutes=30), texts) == "3 jam lagi"
