"""The one cleaning rule for every free text the bot stores: names, institutions, reasons, announcements.

What people paste from documents and other chats carries control characters (a NUL, which
PostgreSQL refuses, tabs, stray carriage returns) and invisible format characters. A control
character stands where a separator was, so it becomes a space rather than vanishing and gluing
two words together; a format character is dropped unless it is part of what a person sees (the
joiner inside 👩‍💻, the tags of a subdivision flag).
"""

from __future__ import annotations

import re
import unicodedata

# Every way a line can end, as typed on Windows, old Macs, or pasted from a word processor.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
ZERO_WIDTH_JOINER = "\u200d"
ZERO_WIDTH_NON_JOINER = "\u200c"
# A zero-width space separates words where it stands, like a space.
ZERO_WIDTH_SPACE = "\u200b"
BLACK_FLAG = "\U0001f3f4"
# The letters that show nothing: Hangul fillers, pasted as "blank" names.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _is_tag(ch: str) -> bool:
    return 0xE0020 <= ord(ch) <= 0xE007F


def _emoji_part(ch: str) -> bool:
    # Emoji are symbols (So); skin tones are modifiers (Sk); U+FE0F asks for the emoji form.
    return unicodedata.category(ch) in ("So", "Sk") or ch == "\ufe0f"


def _letter_or_mark(ch: str) -> bool:
    # Indic and Arabic scripts shape letters with joiners; Latin ones have no use for them.
    return not ch.isascii() and unicodedata.category(ch)[0] in ("L", "M")


def _kept_format(line: str, at: int) -> bool:
    """Whether the format character at `at` is part of what is shown (a joiner inside a sequence, a flag's tags)."""
    ch = line[at]
    before = line[at - 1] if at > 0 else ""
    after = line[at + 1] if at + 1 < len(line) else ""
    if ch in (ZERO_WIDTH_JOINER, ZERO_WIDTH_NON_JOINER) and before and after:
        return (_emoji_part(before) and _emoji_part(after)) or (_letter_or_mark(before) and _letter_or_mark(after))
    return _is_tag(ch) and bool(before) and (before == BLACK_FLAG or _is_tag(before))


def _clean_line(line: str) -> str:
    out: list[str] = []
    for at, ch in enumerate(line):
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or ch == ZERO_WIDTH_SPACE:
            # Cs: a lone surrogate, which no database encoding can store.
            out.append(" ")
        elif category != "Cf" or _kept_format(line, at):
            out.append(ch)
    return "".join(out)


def clean_line(value: str) -> str:
    """A text kept on one line (a name, an institution, a reason): every break and control character a single space."""
    return " ".join(_clean_line(_LINE_BREAK.sub(" ", value)).split())


def clean_lines(value: str) -> str:
    """A text whose line breaks are kept (an announcement): each break one newline, control characters spaces."""
    lines = [_clean_line(line).rstrip() for line in _LINE_BREAK.split(value)]
    return "\n".join(lines).strip()


def has_visible_letters(value: str) -> bool:
    """Whether the text has a letter a reader can see (not only Hangul fillers)."""
    return any(ch.isalpha() and ch not in INVISIBLE_LETTERS for ch in value)
