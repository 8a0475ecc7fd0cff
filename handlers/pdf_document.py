"""The PDFs the bot writes (the daftar hadir, certificates): A4, in a Unicode font that comes with a package.

fpdf2's own core fonts are Latin-1 only, and a name such as "Nguyễn Thị Hương" or "Łukasz" would be
lost. DejaVu Sans covers Latin, Greek, Cyrillic and more; it ships inside matplotlib (already a
dependency for the national chart), so every machine that installs the bot has it, whatever fonts
the system has. fpdf2 embeds only the glyphs a document uses.

Reading a font (its ~6,000 glyph widths and ids) costs about 160 ms each, three per document, so
each process reads them once and every document gets a copy of what was read, sharing the parts
fpdf2 only reads (`_fonts_read`). Not the fontTools font itself: fpdf2 subsets it in place when it
writes a document, so each document opens a fresh one from the file's bytes kept in memory.
`tests/handlers/test_pdf_document.py` holds a document made so to the one fpdf2 makes itself.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT = "DejaVu"


@cache
def _font_files() -> dict[str, Path]:
    """DejaVu Sans's regular, bold and oblique files, found in matplotlib's package data."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf", "I": folder / "DejaVuSans-Oblique.ttf"}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"matplotlib's DejaVu fonts are missing: {', '.join(missing)}")
    return files


@dataclass(frozen=True)
class _ReadFont:
    """One font as fpdf2 read it, with the file's bytes and glyph order for a fresh fontTools font."""

    font: TTFFont
    data: bytes
    glyph_order: tuple[str, ...]
    # The advance widths, the slowest table to read; a document gets a new table with a copy of them.
    metrics: dict[str, tuple[int, int]]


@cache
def _fonts_read() -> dict[str, _ReadFont]:
    """The three fonts, read once per process by fpdf2 itself."""
    reader = FPDF()
    read = {}
    for style, path in _font_files().items():
        reader.add_font(FONT, style=style, fname=str(path))
        font = reader.fonts[FONT.lower() + style]
        assert isinstance(font, TTFFont)
        read[style] = _ReadFont(
            font, path.read_bytes(), tuple(font.ttfont.getGlyphOrder()), dict(font.ttfont["hmtx"].metrics)
        )
    return read


def _add_read_font(pdf: FPDF, style: str, read: _ReadFont) -> None:
    """Give the document its own copy of a font read before, as `FPDF.add_font` would have made it."""
    template = read.font
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(template, name):  # a few slots fpdf2 never sets
            setattr(font, name, getattr(template, name))
    # What a document changes: its font number, the glyphs it uses, the widths looked up (a defaultdict).
    font.i = len(pdf.fonts) + 1
    font.cw = copy.copy(template.cw)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    # Subset in place when the document is written: a fresh one, from the bytes in memory.
    font.ttfont = ttLib.TTFont(io.BytesIO(read.data), recalcTimestamp=False, lazy=True)
    font.ttfont.setGlyphOrder(list(read.glyph_order))
    metrics = ttLib.newTable("hmtx")
    metrics.metrics = dict(read.metrics)
    font.ttfont["hmtx"] = metrics
    font.subset = SubsetMap(font)
    pdf.fonts[FONT.lower() + style] = font


def new_document(*, landscape: bool = False, cached_fonts: bool = True) -> FPDF:
    """An empty A4 document with DejaVu Sans (regular, bold, italic) set up as FONT.

    `cached_fonts=False` has fpdf2 read the font files itself (for the tests comparing the two).
    """
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    if cached_fonts:
        for style, read in _fonts_read().items():
            _add_read_font(pdf, style, read)
    else:
        for style, path in _font_files().items():
            pdf.add_font(FONT, style=style, fname=str(path))
    pdf.set_font(FONT, size=10)
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    """The finished document."""
    return bytes(pdf.output())
