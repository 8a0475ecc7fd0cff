"""Long answers are split between paragraphs into messages Telegram accepts."""

from __future__ import annotations

from handlers.common import split_message
from handlers.texts import Html


def test_short_text_stays_whole() -> None:
    assert split_message(Html("<b>a</b>\n\nb")) == ["<b>a</b>\n\nb"]


def test_long_lists_split_between_paragraphs() -> None:
    blocks = [f"✅ <b>Pertemuan {n}</b>\n   Stakeholder Provinsi · kursi terkonfirmasi" for n in range(120)]
    parts = split_message(Html("\n\n".join(blocks)), limit=1000)
    assert len(parts) > 1 and all(len(p) <= 1000 for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(blocks)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


def test_emoji_count_twice_as_telegram_counts() -> None:
    text = Html("\n\n".join(["📚" * 300] * 4))  # 1,200 characters, 2,400 UTF-16 units
    parts = split_message(text, limit=1300)
    assert len(parts) == 2
