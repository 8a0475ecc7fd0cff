"""The PDFs' fonts: read once per process, yet each document is the one fpdf2 would make on its own."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pypdf import PdfReader

from handlers.pdf_document import FONT, new_document, to_bytes

WHEN = datetime(2023, 7, 26, tzinfo=UTC)


def _document(lines: list[str], *, cached: bool) -> bytes:
    pdf = new_document(cached_fonts=cached)
    pdf.set_creation_date(WHEN)
    pdf.add_page()
    for style, line in zip(["", "B", "I"] * len(lines), lines, strict=False):
        pdf.set_font(FONT, style, 12)
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return to_bytes(pdf)


def test_documents_with_fonts_read_before_are_those_fpdf2_makes_itself() -> None:
    first = ["Nguyễn Thị Hương", "Łukasz Żółć", "Αθηνά Παπαδοπούλου"]
    second = ["Дмитрий Иванов", "Siti Rahma ✓", "Ngô Bảo Châu"]
    # One after the other in one process: the second's fonts hold its own glyphs, not the first's.
    made = [_document(first, cached=True), _document(second, cached=True), _document(first, cached=True)]
    assert made == [_document(first, cached=False), _document(second, cached=False), _document(first, cached=False)]
    text = PdfReader(io.BytesIO(made[1])).pages[0].extract_text()
    assert all(line in text for line in second), text
    assert "Hương" not in text
