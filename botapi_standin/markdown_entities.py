"""MarkdownV2 and legacy Markdown parsers producing plain text + MessageEntity dicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .html_entities import EntityParseError, ParsedText, _byte_offset

RESERVED_V2 = "_*[]()~`>#+-=|{}.!"
_TDLIB_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


# Markers that open an entity, the two-character ones first so "__" is not read as "_" twice.
OPENING_MARKERS = (
    ("__", "underline"),
    ("||", "spoiler"),
    ("![", "custom_emoji"),
    ("_", "italic"),
    ("*", "bold"),
    ("~", "strikethrough"),
    ("[", "text_link"),
)


@dataclass(slots=True)
class _Open:
    """An entity whose closing marker has not been seen yet."""

    type: str
    utf16_start: int
    byte_pos: int
    language: str = ""


class _Builder:
    """Accumulates output characters and their UTF-16 position."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, ch: str) -> None:
        """Append one visible character."""
        self.out.append(ch)
        self.utf16 += 2 if ord(ch) > 0xFFFF else 1

    def close(self, entity: _Open, **extra: Any) -> None:
        """Record an entity ending at the current position (empty ones are dropped)."""
        length = self.utf16 - entity.utf16_start
        if length > 0:
            self.entities.append({"type": entity.type, "offset": entity.utf16_start, "length": length, **extra})

    def result(self) -> ParsedText:
        """Return the parsed text with entities sorted like Telegram."""
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)


def _reserved(ch: str) -> EntityParseError:
    """Telegram's error for an unescaped reserved character."""
    return EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")


def _read_url(text: str, i: int) -> tuple[str | None, int]:
    """After ']' read '(url)'; return (url or None if absent, index after it)."""
    if i >= len(text) or text[i] != "(":
        return None, i
    chars: list[str] = []
    i += 1
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        chars.append(text[i])
        i += 1
    if i >= len(text):
        raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
    return "".join(chars), i + 1


def parse_markdown_v2(text: str) -> ParsedText:
    """Parse MarkdownV2: reserved characters outside entities must be backslash-escaped."""
    b = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "\\" and nxt and 0 < ord(nxt) <= 126:
            b.add(nxt)
            i += 2
            continue
        top = stack[-1] if stack else None
        if top and top.type in ("code", "pre"):
            # Inside code only '`' and '\' are special.
            if top.type == "code" and c == "`":
                stack.pop()
                b.close(top)
                i += 1
            elif top.type == "pre" and text.startswith("```", i):
                stack.pop()
                b.close(top, **({"language": top.language} if top.language else {}))
                i += 3
            else:
                b.add(c)
                i += 1
            continue
        if c == "\n" and top and top.type in ("blockquote", "expandable_blockquote") and nxt != ">":
            stack.pop()
            b.close(top)
        if c not in RESERVED_V2:
            b.add(c)
            i += 1
            continue
        i = _markdown_v2_marker(text, i, b, stack)
    for entity in reversed(stack):
        if entity.type not in ("blockquote", "expandable_blockquote"):
            raise EntityParseError(
                f"Can't find end of {_TDLIB_NAMES[entity.type]} entity at byte offset {entity.byte_pos}"
            )
        b.close(entity)
    return b.result()


def _markdown_v2_marker(text: str, i: int, b: _Builder, stack: list[_Open]) -> int:
    """Handle a reserved character at text[i] (open/close an entity or refuse); return next index."""
    c = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    top = stack[-1] if stack else None
    pos = _byte_offset(text, i)
    closers = {"bold": "*", "italic": "_", "strikethrough": "~", "text_link": "]", "custom_emoji": "]"}
    # "__" inside italic opens underline rather than closing the italic.
    if top and closers.get(top.type) == c and not (top.type == "italic" and nxt == "_"):
        stack.pop()
        if top.type in ("text_link", "custom_emoji"):
            url, after = _read_url(text, i + 1)
            if url and top.type == "text_link":
                b.close(top, url=url)
            elif url and top.type == "custom_emoji":
                b.close(top, custom_emoji_id=url.rpartition("id=")[2])
            return after
        b.close(top)
        return i + 1
    if top and top.type == "underline" and c == "_" and nxt == "_":
        stack.pop()
        b.close(top)
        return i + 2
    if top and top.type == "spoiler" and c == "|" and nxt == "|":
        stack.pop()
        b.close(top)
        return i + 2
    at_line_start = i == 0 or text[i - 1] == "\n"
    if c == ">" and at_line_start:
        if not (top and top.type in ("blockquote", "expandable_blockquote")):
            stack.append(_Open("blockquote", b.utf16, pos))
        return i + 1
    for marker, entity in OPENING_MARKERS:
        if text.startswith(marker, i):
            stack.append(_Open(entity, b.utf16, pos))
            return i + len(marker)
    if c == "`":
        if text.startswith("```", i):
            end_of_line = text.find("\n", i + 3)
            language = text[i + 3 : end_of_line].strip() if end_of_line != -1 else ""
            stack.append(_Open("pre", b.utf16, pos, language))
            return end_of_line + 1 if end_of_line != -1 else i + 3
        stack.append(_Open("code", b.utf16, pos))
        return i + 1
    raise _reserved(c)


def parse_markdown(text: str) -> ParsedText:
    """Parse legacy Markdown (*bold*, _italic_, `code`, ```pre```, [text](url))."""
    b = _Builder()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            b.add(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            b.add(c)
            i += 1
            continue
        pos = _byte_offset(text, i)
        missing = EntityParseError(f"Can't find end of the entity starting at byte offset {pos}")
        if c == "`" and text.startswith("```", i):
            end = text.find("```", i + 3)
            if end == -1:
                raise missing
            body = text[i + 3 : end]
            language, sep, rest = body.partition("\n")
            if sep and language and " " not in language.strip():
                body = rest
            entity = _Open("pre", b.utf16, pos)
            for ch in body:
                b.add(ch)
            b.close(entity, **({"language": language.strip()} if sep and language.strip() and body == rest else {}))
            i = end + 3
            continue
        closer = "]" if c == "[" else c
        end = text.find(closer, i + 1)
        if end == -1:
            raise missing
        entity = _Open({"*": "bold", "_": "italic", "`": "code", "[": "text_link"}[c], b.utf16, pos)
        for ch in text[i + 1 : end]:
            b.add(ch)
        i = end + 1
        if c == "[":
            url, i = _read_url(text, i)
            if url:
                b.close(entity, url=url)
        else:
            b.close(entity)
    return b.result()
