"""The PDFs the bot writes (the daftar hadir, certificates): A4, in a Unicode font that comes with a package.

fpdf2's own core fonts are Latin-1 only, and a name such as "Nguyễn Thị Hương" or "Łukasz" would be
lost. DejaVu Sans covers Latin, Greek, Cyrillic and more; it ships inside matplotlib (already a
dependency for the national chart), so every machine that installs the bot has it, whatever fonts
the system has. fpdf2 embeds only the glyphs a document uses.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fpdf import FPDF

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


def new_document(*, landscape: bool = False) -> FPDF:
    """An empty A4 document with DejaVu Sans (regular, bold, italic) set up as FONT."""
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    for style, path in _font_files().items():
        pdf.add_font(FONT, style=style, fname=str(path))
    pdf.set_font(FONT, size=10)
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    """The finished document."""
    return bytes(pdf.output())
