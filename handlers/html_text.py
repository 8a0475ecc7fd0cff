"""Telegram HTML as Telegram counts it: its length after entity parsing, and cuts that keep the markup whole.

Telegram's 4096-character limit applies to the text a person reads, in UTF-16 units: `&amp;`
counts one, `<b>` nothing. Measuring the HTML source instead refuses texts that fit (an escaped
"Q&A" is five source characters for three read), and cutting the source with a slice can land
inside `&amp;` or a tag, which Telegram then refuses or shows broken.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from handlers.texts import Html
from models.text_length import telegram_length

# What TDLib's HTML parser reads as one unit: a tag, or one of the entities it knows.
_MARKUP = re.compile(r"<[^<>]*>|&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
# Where a message may be cut, best first: between paragraphs, between lines, between words.
_PARAGRAPH, _LINE, _WORD = 3, 2, 1


@dataclass(frozen=True, slots=True)
class _Piece:
    """One indivisible piece of the source: a character, an entity or a tag."""

    source: str
    # The character it shows ("" for a tag) and its length in UTF-16 units.
    shown: str
    units: int
    tag: str | None = None
    closing: bool = False


def _pieces(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    at = 0
    for match in _MARKUP.finditer(text):
        pieces.extend(_Piece(ch, ch, telegram_length(ch)) for ch in text[at : match.start()])
        token = match.group()
        if token.startswith("<"):
            name = _TAG_NAME.match(token)
            pieces.append(_Piece(token, "", 0, name.group(1).lower() if name else "", token.startswith("</")))
        else:
            shown = html.unescape(token)
            pieces.append(_Piece(token, shown, telegram_length(shown)))
        at = match.end()
    pieces.extend(_Piece(ch, ch, telegram_length(ch)) for ch in text[at:])
    return pieces


def _shown(token: re.Match[str]) -> str:
    markup = token.group()
    return "" if markup.startswith("<") else html.unescape(markup)


def visible_length(text: str) -> int:
    """The length of an HTML text as Telegram counts it: after entity parsing, in UTF-16 units."""
    # The same reading as `_pieces`, without a piece a character: every message is measured, few are cut.
    return telegram_length(_MARKUP.sub(_shown, text))


def _is_open(piece: _Piece) -> bool:
    return piece.tag is not None and not piece.closing


def _continues(piece: _Piece) -> bool:
    """Whether the character belongs to the one before it: a mark, a joiner, a skin tone, an emoji tag."""
    ch = piece.shown
    if len(ch) != 1:
        return False
    # Cf holds the zero-width joiner and the tags of a subdivision flag.
    return unicodedata.category(ch) in ("Mn", "Mc", "Me", "Sk", "Cf")


def _inside_a_character(pieces: list[_Piece], at: int) -> bool:
    # A cut before a mark or after a joiner would split what a person sees as one character (👩‍💻, é).
    return _continues(pieces[at]) or pieces[at - 1].shown == "\u200d"


def _cut(pieces: list[_Piece], start: int, limit: int) -> int:
    """Where the part beginning at `start` ends: the best break that leaves it at least half full, else the last."""
    units, at = 0, start
    breaks: dict[int, int] = {}
    last_break = 0
    while at < len(pieces) and units + pieces[at].units <= limit:
        units += pieces[at].units
        at += 1
        shown = pieces[at - 1].shown
        if shown == "\n":
            before = pieces[at - 2].shown if at - 2 >= start else ""
            kind = _PARAGRAPH if before == "\n" else _LINE
        elif shown.isspace():
            kind = _WORD
        else:
            continue
        last_break = at
        if units >= limit // 2:
            breaks[kind] = at
    if at == len(pieces):
        return at
    end = breaks.get(_PARAGRAPH) or breaks.get(_LINE) or breaks.get(_WORD) or last_break
    if not end:
        # No space to cut at: between two characters as a person sees them, not inside one.
        end = at
        while end > start + 1 and _inside_a_character(pieces, end):
            end -= 1
        end = end if end > start + 1 else at
    # A tag just opened belongs with the text it wraps, in the next part.
    while end > start + 1 and _is_open(pieces[end - 1]):
        end -= 1
    return end


def split_html(text: Html, limit: int) -> list[Html]:
    """The text in parts of at most `limit` units as Telegram counts them, with every part's markup whole.

    Cut between paragraphs if it can, else between lines or words; a tag still open at a cut is
    closed there and opened again at the start of the next part. Nothing is left out.
    """
    if visible_length(text) <= limit:
        return [text]
    pieces = _pieces(text)
    parts: list[Html] = []
    opened: list[_Piece] = []
    start = 0
    while start < len(pieces):
        end = _cut(pieces, start, limit)
        reopened = [piece.source for piece in opened]
        for piece in pieces[start:end]:
            if _is_open(piece):
                opened.append(piece)
            elif piece.closing:
                # Close the innermost element of that name, as the parser would.
                for n in range(len(opened) - 1, -1, -1):
                    if opened[n].tag == piece.tag:
                        del opened[n]
                        break
        body = "".join(piece.source for piece in pieces[start:end]).rstrip()
        closed = "".join(f"</{piece.tag}>" for piece in reversed(opened))
        if "".join(piece.shown for piece in pieces[start:end]).strip():
            parts.append(Html("".join(reopened) + body + closed))
        start = end
        # The break itself (spaces, line feeds) is where one message ends and the next begins.
        while start < len(pieces) and pieces[start].shown.isspace() and pieces[start].tag is None:
            start += 1
    return parts
