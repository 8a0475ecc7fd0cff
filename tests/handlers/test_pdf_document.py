"""The PDFs' fonts: read and reduced once per process, yet each document is the one fpdf2 would make on its own."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from fpdf.errors import FPDFException
from pypdf import PdfReader

from benchmarks.attendance_list import sheet
from handlers.attendance_list import attendance_pdf
from handlers.pdf_document import FONT, KEPT, _Font, _narrowed_fonts, _read_font, new_document, to_bytes

WHEN = datetime(2023, 7, 26, tzinfo=UTC)


def _layout(lines: list[str], *, cached: bool) -> FPDF:
    pdf = new_document(cached_fonts=cached)
    pdf.set_creation_date(WHEN)
    pdf.add_page()
    for style, line in zip(["", "B", "I"] * len(lines), lines, strict=False):
        pdf.set_font(FONT, style, 12)
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return pdf


def _document(lines: list[str], *, cached: bool) -> bytes:
    return to_bytes(_layout(lines, cached=cached))


def _files_chosen(lines: list[str]) -> list[str]:
    """Which font each style's glyphs are taken from when the document is written: 'reduced' or 'full'."""
    pdf = _layout(lines, cached=True)
    chosen = []
    for font in pdf.fonts.values():
        assert isinstance(font, _Font)
        chosen.append("reduced" if font.choose_file() is font.read.reduced else "full")
    return chosen


def test_documents_with_fonts_read_before_are_those_fpdf2_makes_itself() -> None:
    first = ["Nguyễn Thị Hương", "Łukasz Żółć", "Αθηνά Παπαδοπούλου"]
    second = ["Дмитрий Иванов", "Siti Rahma ✓", "Ngô Bảo Châu"]
    # All their characters are in the reduced fonts, so those are what the documents embed.
    assert _files_chosen(first) == _files_chosen(second) == ["reduced"] * 3
    # One after the other in one process: the second's fonts hold its own glyphs, not the first's.
    made = [_document(first, cached=True), _document(second, cached=True)]
    # fpdf2 subset fonts already subset to (at least) the glyphs of both documents: a third one finds them.
    narrowed = {style: _narrowed_fonts[_read_font(style).reduced] for style in ("", "B", "I")}
    assert all(0 < len(font.glyph_order) < 600 for font in narrowed.values())
    assert {_read_font("").font.cmap[ord(ch)] for ch in "ươДм"} <= narrowed[""].glyphs
    made.append(_document(first, cached=True))
    assert {style: _narrowed_fonts[_read_font(style).reduced] for style in ("", "B", "I")} == narrowed
    assert made == [_document(first, cached=False), _document(second, cached=False), _document(first, cached=False)]
    text = PdfReader(io.BytesIO(made[1])).pages[0].extract_text()
    assert all(line in text for line in second), text
    assert "Hương" not in text


def test_a_character_outside_the_reduced_fonts_is_written_from_the_full_one() -> None:
    # Armenian and Georgian: DejaVu Sans has them, the reduced fonts do not.
    lines = ["Արամ Nguyễn", "Siti Rahma", "გიორგი"]
    regular = _read_font("")
    assert "Ա" not in "".join(chr(code) for first, last in KEPT for code in range(first, last + 1))
    assert ord("Ա") in regular.font.cmap and regular.font.cmap[ord("Ա")] not in regular.reduced.glyphs
    # Only the styles that show such a character need the full font.
    assert _files_chosen(lines) == ["full", "reduced", "full"]
    made = _document(lines, cached=True)
    assert made == _document(lines, cached=False)
    text = PdfReader(io.BytesIO(made)).pages[0].extract_text()
    assert all(line in text for line in lines), text
    # And the next document, reduced again, holds none of them.
    assert _files_chosen(["Siti", "Rahma", "Ольга"]) == ["reduced"] * 3


def test_a_document_has_only_the_styles_it_asks_for() -> None:
    pdf = new_document(styles=("", "B"))
    pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.cell(text="Siti Rahma")
    with pytest.raises(FPDFException):
        pdf.set_font(FONT, "I", 12)
    assert b"/BaseFont /MPDFAA+DejaVuSansOblique" not in to_bytes(pdf)
    assert b"/BaseFont /MPDFAA+DejaVuSansOblique" in _document(["Siti", "Rahma", "Ольга"], cached=True)
    # The daftar hadir has no oblique text, and no oblique font.
    listed = attendance_pdf(sheet(3))
    assert b"/BaseFont /MPDFAA+DejaVuSansBold" in listed and b"DejaVuSansOblique" not in listed
