"""The daftar hadir's drawing: text the font lacks, words too long for a cell, the rows that keep the table whole."""

from __future__ import annotations

import dataclasses
import io
import logging

import pypdf

from benchmarks.attendance_list import sheet
from handlers.attendance_list import REPLACEMENT, WIDTHS, SheetRow, _Layout, attendance_pdf
from handlers.pdf_document import new_document


def read(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_characters_the_font_lacks_print_as_a_replacement_and_the_rest_of_the_name_stays(caplog) -> None:
    # DejaVu Sans has Cyrillic and 😀 but no Chinese characters and no 📚.
    rows = (SheetRow("王小明 Ольга 😀 📚", "Perpustakaan", "Kepala", None),)
    with caplog.at_level(logging.INFO, logger="handlers.attendance_list"):
        text = read(attendance_pdf(dataclasses.replace(sheet(0), rows=rows)))[0]
    assert f"{REPLACEMENT * 3} Ольга 😀 {REPLACEMENT}" in text
    # Counted in the log, the name itself never.
    assert "4 characters" in caplog.text and "Ольга" not in caplog.text


def test_a_word_too_long_for_its_cell_is_cut_inside_it() -> None:
    layout = _Layout(new_document(), sheet(0))
    layout.new_page()
    word = "Perpustakaan" * 12
    lines = layout.lines(WIDTHS[2], word)
    assert len(lines) > 3 and "".join(lines) == word
    assert all(layout.width_of(line) <= WIDTHS[2] - 3 for line in lines)
    # Spaces are where a line breaks otherwise; runs of them count as one.
    assert layout.lines(WIDTHS[2], "Dinas   Perpustakaan dan Kearsipan Kabupaten") == [
        "Dinas Perpustakaan dan",
        "Kearsipan Kabupaten",
    ]


def test_an_empty_meeting_still_has_rows_for_walk_ins_and_the_committee_block() -> None:
    pages = read(attendance_pdf(sheet(0)))
    assert len(pages) == 1
    assert "1." in pages[0] and "5." in pages[0] and "Ketua Panitia" in pages[0]
