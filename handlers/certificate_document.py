"""The e-sertifikat as a PDF: A4 landscape, the person's name, role, meeting, number, signer and a QR to check it.

Built in the file worker (`bot.file_worker`) from plain strings (`CertificateContent`), so the
bot's event loop never waits for a render; the QR holds the t.me link whose /start payload the
bot verifies (`handlers.certificates`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.qr_code import qr_png

if TYPE_CHECKING:
    from fpdf import FPDF

_WIDTH = 297.0
_MARGIN = 12.0
_QR_SIZE = 34.0
_INK = (30, 41, 59)
_ACCENT = (21, 94, 117)


@dataclass(frozen=True)
class CertificateContent:
    """Everything a certificate says, already in the person's language."""

    title: str
    text: str
    name: str
    role_line: str
    meeting: str
    when: str
    venue: str
    number_line: str
    place_and_date: str
    signer_title: str
    signer_name: str | None
    link: str
    check_hint: str


def certificate_pdf(content: CertificateContent) -> bytes:
    """The certificate's PDF (one page)."""
    # fpdf2 brings fontTools and numpy (0.3 s and about 20 MB): loaded by the first document, not at boot.
    from handlers.pdf_document import FONT, new_document, to_bytes

    pdf = new_document(landscape=True)
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{content.title} {content.number_line}")
    pdf.add_page()
    _frame(pdf)
    width = _WIDTH - 2 * (_MARGIN + 10)
    left = _MARGIN + 10

    pdf.set_text_color(*_ACCENT)
    pdf.set_xy(left, 30)
    pdf.set_font(FONT, "B", 34)
    pdf.cell(width, 14, content.title, align="C")
    pdf.set_xy(left, 46)
    pdf.set_font(FONT, "", 13)
    pdf.cell(width, 7, content.number_line, align="C")

    pdf.set_text_color(*_INK)
    pdf.set_xy(left, 62)
    pdf.set_font(FONT, "I", 13)
    pdf.cell(width, 7, content.text, align="C")
    pdf.set_xy(left, 72)
    pdf.set_font(FONT, "B", 24 if len(content.name) <= 40 else 18)
    pdf.multi_cell(width, 11, content.name, align="C")
    y = max(pdf.get_y(), 84) + 3
    pdf.set_xy(left, y)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(width, 7, content.role_line, align="C")
    pdf.set_x(left)
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(width, 8, content.meeting, align="C")
    pdf.set_x(left)
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(width, 6.5, content.when, align="C")
    pdf.set_x(left)
    pdf.multi_cell(width, 6.5, content.venue, align="C")

    # The QR and the number, bottom left; the signer, bottom right.
    qr_top = 210 - _MARGIN - 10 - _QR_SIZE - 10
    pdf.image(io.BytesIO(qr_png(content.link, scale=6)), x=left, y=qr_top, w=_QR_SIZE, h=_QR_SIZE)
    pdf.set_font(FONT, "", 8)
    pdf.set_xy(left, qr_top + _QR_SIZE + 1)
    pdf.multi_cell(80, 3.6, content.check_hint, align="L")

    block = 95.0
    x = _WIDTH - _MARGIN - 10 - block
    pdf.set_font(FONT, "", 11)
    pdf.set_xy(x, qr_top)
    pdf.multi_cell(block, 6, content.place_and_date, align="C")
    pdf.set_x(x)
    pdf.multi_cell(block, 6, content.signer_title, align="C")
    pdf.set_xy(x, qr_top + _QR_SIZE)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(block, 6, content.signer_name or "(" + "." * 40 + ")", align="C")
    return to_bytes(pdf)


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(_MARGIN, _MARGIN, _WIDTH - 2 * _MARGIN, 210 - 2 * _MARGIN)
    pdf.set_line_width(0.3)
    pdf.rect(_MARGIN + 3, _MARGIN + 3, _WIDTH - 2 * _MARGIN - 6, 210 - 2 * _MARGIN - 6)
