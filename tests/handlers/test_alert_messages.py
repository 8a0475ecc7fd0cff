"""Digests stay one Telegram message however much there is to say."""

from __future__ import annotations

from handlers.alert_messages import _fit
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
