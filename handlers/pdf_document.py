"""The PDFs the bot writes (the daftar hadir, certificates): A4, in a Unicode font that comes with a package.

fpdf2's own core fonts are Latin-1 only, and a name such as "Nguyễn Thị Hương" or "Łukasz" would be
lost. DejaVu Sans covers Latin, Greek, Cyrillic and more; it ships inside matplotlib (already a
dependency for the national chart), so every machine that installs the bot has it, whatever fonts
the system has. fpdf2 embeds only the glyphs a document uses.

Reading a font (its ~6,000 glyph widths and ids) and preparing it (below) costs about 100 ms a
style, so each process does it once per style, when a document first asks for it, and every
document gets a copy of what was read, sharing the parts fpdf2 only reads (`_read_font`). Not the
fontTools font itself: fpdf2 subsets it in place when it writes a document, so each document opens
a fresh one from bytes kept in memory.

That subsetting was most of a document's time: per font, fontTools decompiles all ~6,000 glyphs
and decodes all their names, to keep the few dozen the document shows. So each process also
reduces each font once to the scripts the bot's people write (`KEPT`: Latin with Vietnamese,
Greek, Cyrillic, punctuation, currency, ✓, U+FFFD), without the tables and glyph names fpdf2
drops anyway (`_reduce`), under a third of the glyphs. The document is laid out with the full
font's widths and character map, as before; when it is written (`to_bytes`), it embeds its glyphs
taken from the reduced font if that has them all, else from the full one. Not from all of it:
fpdf2 subsets a font already subset to the glyphs documents showed so far (`_narrowed`; a few
hundred for names in Latin letters), cheaper still. The embedded fonts are the same bytes any way:
`tests/handlers/test_pdf_document.py` holds documents made so to those fpdf2 makes itself.
"""

from __future__ import annotations

import copy
import importlib.util
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT = "DejaVu"
# The styles a document has unless it asks for fewer: regular, bold, oblique.
STYLES = ("", "B", "I")

# The characters the reduced fonts keep (as far as DejaVu Sans has them): the scripts people write
# their names and institutions in here, and the documents' own symbols.
KEPT = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B
    (0x02B0, 0x036F),  # spacing modifier letters, combining diacritical marks
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x214F),  # general punctuation, super- and subscripts, currency, letterlike symbols (№)
    (0x2190, 0x21FF),  # arrows
    (0x2713, 0x2713),  # ✓
    (0xFFFD, 0xFFFD),  # the replacement character (handlers.attendance_list)
)

# What fpdf2's subsetting drops when it writes a document (fpdf/output.py, `_add_fonts`), beside
# fontTools' own defaults; and 'kern', which fontTools drops when the font has GPOS, as DejaVu has.
_DROPPED_WHEN_WRITTEN = [
    *("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT", "EBLC"),
    *("EBSC", "SVG ", "CPAL", "COLR", "kern"),
]


@cache
def _font_files() -> dict[str, Path]:
    """DejaVu Sans's regular, bold and oblique files, found in matplotlib's package data."""
    # Found without importing matplotlib (~200 ms): its data folder is beside its __init__.py.
    package = importlib.util.find_spec("matplotlib")
    assert package is not None and package.origin is not None, "matplotlib is a dependency"
    folder = Path(package.origin).parent / "mpl-data" / "fonts" / "ttf"
    files = {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf", "I": folder / "DejaVuSans-Oblique.ttf"}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"matplotlib's DejaVu fonts are missing: {', '.join(missing)}")
    return files


@dataclass(frozen=True, eq=False)
class _FontData:
    """A font file's bytes, and what a fresh fontTools font opened from them needs not decode again."""

    data: bytes
    # The glyph names, by glyph id: the reduced font's bytes hold none (post format 3), so its glyphs
    # keep the full font's names, those the documents' character maps use.
    glyph_order: tuple[str, ...]
    # The advance widths, the slowest table to read; a document gets a new table with a copy of them.
    metrics: dict[str, tuple[int, int]]

    @cached_property
    def glyphs(self) -> frozenset[str]:
        return frozenset(self.glyph_order)

    def open(self) -> ttLib.TTFont:
        """A fresh fontTools font, for one document to subset in place."""
        font = ttLib.TTFont(io.BytesIO(self.data), recalcTimestamp=False, lazy=True)
        font.setGlyphOrder(list(self.glyph_order))
        metrics = ttLib.newTable("hmtx")
        metrics.metrics = dict(self.metrics)
        font["hmtx"] = metrics
        return font


@dataclass(frozen=True)
class _ReadFont:
    """One style as fpdf2 read it, the full font and the reduced one."""

    font: TTFFont
    full: _FontData
    reduced: _FontData


@cache
def _read_font(style: str) -> _ReadFont:
    """One style, read once per process by fpdf2 itself, and reduced."""
    path = _font_files()[style]
    reader = FPDF()
    reader.add_font(FONT, style=style, fname=str(path))
    font = reader.fonts[FONT.lower() + style]
    assert isinstance(font, TTFFont)
    full = _FontData(path.read_bytes(), tuple(font.ttfont.getGlyphOrder()), dict(font.ttfont["hmtx"].metrics))
    # The reader's fontTools font has decoded the tables the reduction needs: reduced in place.
    reduced = _reduce(font.ttfont)
    return _ReadFont(font, full, reduced)


def _reduce(font: ttLib.TTFont) -> _FontData:
    """The font (changed in place) with only the glyphs of `KEPT`'s characters and those they are built of."""
    options = subset.Options(notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += _DROPPED_WHEN_WRITTEN
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in KEPT for code in range(first, last + 1)])
    subsetter.subset(font)
    glyph_order = tuple(font.getGlyphOrder())
    metrics = dict(font["hmtx"].metrics)
    # The glyphs as the file has them, not decoded and encoded again to find bounding boxes that
    # each document's subset finds anyway (fpdf2's font recalculates them).
    font.recalcBBoxes = False
    output = io.BytesIO()
    font.save(output)
    return _FontData(output.getvalue(), glyph_order, metrics)


# The glyphs a font subset to every glyph documents asked of it so far may have (`_narrowed`).
_NARROWED_GLYPHS = 600
_narrowed_fonts: dict[_FontData, _FontData] = {}


def _narrowed(data: _FontData, glyphs: frozenset[str]) -> _FontData:
    """A small font with these glyphs for fpdf2 to subset: the font subset to all glyphs documents asked of it so far.

    Subsetting a subset gives what subsetting the font gives, only sooner: fontTools takes ~6 ms
    for a font of up to a few hundred glyphs, ~11 ms for the ~1,800 of a reduced one, ~30 ms for
    the ~6,000 of a full one. It grows with each document showing a glyph it lacks, and starts
    afresh from the document's glyphs past `_NARROWED_GLYPHS`.
    """
    narrowed = _narrowed_fonts.get(data)
    if narrowed is not None and glyphs <= narrowed.glyphs:
        return narrowed
    if narrowed is not None and len(narrowed.glyphs | glyphs) <= _NARROWED_GLYPHS:
        glyphs |= narrowed.glyphs
    narrowed = _narrowed_fonts[data] = _subset(data, glyphs)
    return narrowed


def _subset(data: _FontData, glyphs: frozenset[str]) -> _FontData:
    """The font subset to these glyphs (and those they are built of) with fpdf2's options."""
    font = data.open()
    options = subset.Options(notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += _DROPPED_WHEN_WRITTEN
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyphs))
    subsetter.subset(font)
    glyph_order = tuple(font.getGlyphOrder())
    metrics = dict(font["hmtx"].metrics)
    output = io.BytesIO()
    font.save(output)
    return _FontData(output.getvalue(), glyph_order, metrics)


class _Font(TTFFont):
    """A document's font: laid out with the full font's widths, written from the reduced font if it can be."""

    __slots__ = ("read",)

    read: _ReadFont

    def choose_file(self) -> _FontData:
        """Open the font the document embeds its glyphs from, once it holds all its text; which one it is."""
        used = frozenset(self.subset.get_all_glyph_names())
        data = self.read.reduced if used <= self.read.reduced.glyphs else self.read.full
        self.ttfont = _narrowed(data, used).open()
        return data


def _add_read_font(pdf: FPDF, style: str, read: _ReadFont) -> None:
    """Give the document its own copy of a font read before, as `FPDF.add_font` would have made it."""
    template = read.font
    font = _Font.__new__(_Font)
    for name in TTFFont.__slots__:
        if hasattr(template, name):  # a few slots fpdf2 never sets
            setattr(font, name, getattr(template, name))
    font.read = read
    # What a document changes: its font number, the glyphs it uses, the widths looked up (a defaultdict).
    font.i = len(pdf.fonts) + 1
    font.cw = copy.copy(template.cw)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    # The full font until the document is written (`to_bytes`), and always for `FPDF.output` alone.
    font.ttfont = read.full.open()
    font.subset = SubsetMap(font)
    pdf.fonts[FONT.lower() + style] = font


def new_document(*, landscape: bool = False, styles: Iterable[str] = STYLES, cached_fonts: bool = True) -> FPDF:
    """An empty A4 document with DejaVu Sans in the given styles (regular, bold, oblique) set up as FONT.

    A style left out costs nothing, and is refused by `set_font`. `cached_fonts=False` has fpdf2
    read the full font files itself (for the tests comparing the two).
    """
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    for style in styles:
        if cached_fonts:
            _add_read_font(pdf, style, _read_font(style))
        else:
            pdf.add_font(FONT, style=style, fname=str(_font_files()[style]))
    pdf.set_font(FONT, size=10)
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    """The finished document."""
    for font in pdf.fonts.values():
        if isinstance(font, _Font):
            font.choose_file()
    return bytes(pdf.output())
