"""Long answers are split into messages Telegram accepts, measured and cut as Telegram reads the HTML."""

from __future__ import annotations

import html

import pytest

from botapi_standin.html_entities import parse_html, utf16_len
from handlers.common import split_message
from handlers.html_text import visible_length
from handlers.texts import Html


def read(part: str) -> str:
    """The text a person reads, as the stand-in (like Telegram) parses it; fails on markup Telegram refuses."""
    return parse_html(part).text


def test_short_text_stays_whole() -> None:
    assert split_message(Html("<b>a</b>\n\nb")) == ["<b>a</b>\n\nb"]


def test_long_lists_split_between_paragraphs() -> None:
    blocks = [f"✅ <b>Pertemuan {n}</b>\n   Stakeholder Provinsi · kursi terkonfirmasi" for n in range(120)]
    parts = split_message(Html("\n\n".join(blocks)), limit=1000)
    assert len(parts) > 1 and all(utf16_len(read(p)) <= 1000 for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(blocks)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


def test_emoji_count_twice_as_telegram_counts() -> None:
    text = Html("\n\n".join(["📚" * 300] * 4))  # 1,200 characters, 2,400 UTF-16 units
    parts = split_message(text, limit=1300)
    assert len(parts) == 2


def test_entities_count_as_the_character_they_show() -> None:
    # 3,400 characters to read, 6,800 in the HTML source: one message, whole.
    text = Html("📢 <b>Pengumuman</b>\n\n" + html.escape("Q&A " * 850))
    assert visible_length(text) == utf16_len(read(text))
    assert split_message(text) == [text]


@pytest.mark.parametrize("limit", [97, 100, 101, 333, 4096])
def test_a_cut_never_lands_inside_an_entity_or_a_tag_and_loses_nothing(limit: int) -> None:
    words = html.escape('Q&A <sesi> "tanya" jawab & diskusi 👩\u200d💻 ' * 300)
    text = Html(f'<b>Jadwal</b>\n\n<i>{words}</i>\n<a href="https://example.org/?a=1&amp;b=2">tautan {words}</a>')
    parts = split_message(text, limit=limit)
    assert len(parts) > 1
    readings = [read(p) for p in parts]  # each part parses: no entity or tag was cut
    assert all(0 < utf16_len(r) <= limit for r in readings)
    assert "".join(readings).replace(" ", "").replace("\n", "") == read(text).replace(" ", "").replace("\n", "")


def test_a_cut_inside_an_element_closes_it_and_opens_it_again() -> None:
    text = Html("<b>" + " ".join(["kata"] * 60) + "</b> akhir")
    first, *rest = split_message(text, limit=100)
    assert first.startswith("<b>") and first.endswith("</b>")
    assert rest[0].startswith("<b>")
    entities = parse_html(rest[0]).entities
    assert entities and entities[0]["type"] == "bold"


def test_a_text_without_spaces_is_cut_between_characters_as_a_person_sees_them() -> None:
    technologist = "👩\u200d💻"
    parts = split_message(Html(technologist * 3000))
    assert len(parts) == 4 and "".join(parts) == technologist * 3000
    assert all(p.startswith("👩") and p.endswith("💻") for p in parts)
    accented = split_message(Html("e\u0301" * 5000))
    assert all(p.startswith("e") for p in accented)
