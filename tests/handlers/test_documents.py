"""The PDF and QR building blocks: Unicode text survives the PDF, a QR holds its link."""

from __future__ import annotations

import io

import pypdf

from handlers.pdf_document import new_document, to_bytes
from handlers.qr_code import qr_png


def test_names_outside_latin1_are_in_the_pdf_as_written() -> None:
    pdf = new_document()
    pdf.add_page()
    names = "Nguyễn Thị Hương · Łukasz Wróbel · Ağça · Ζωή"
    pdf.cell(text=names)
    reader = pypdf.PdfReader(io.BytesIO(to_bytes(pdf)))
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == names
    # The font travels inside the file: a printer needs nothing installed.
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any(
        "/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for font in fonts.values()
    )


def test_a_qr_code_is_a_png_that_grows_with_its_content() -> None:
    short = qr_png("https://t.me/shm_bot?start=hadir-x")
    longer = qr_png("https://t.me/shm_bot?start=hadir-" + "x" * 58)
    assert short.startswith(b"\x89PNG\r\n\x1a\n") and longer.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(longer) > len(short)
