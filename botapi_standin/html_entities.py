"""Telegram-HTML parser: turns parse_mode=HTML text into plain text + MessageEntity dicts.

Mirrors TDLib's do_parse_html (which the Bot API server uses), including its error wording,
and adds the newer tags (span/tg-spoiler, tg-emoji, blockquote [expandable]).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f\v"


class EntityParseError(ValueError):
    """The text is not valid Telegram markup; str(error) is Telegram's reason."""


@dataclass(slots=True)
class ParsedText:
    """Text after entity parsing, with MessageEntity dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    attrs: dict[str, str]
    utf16_start: int
    out_index: int


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for limits and offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(source: str, index: int) -> int:
    """UTF-8 byte offset of source[index]; Telegram reports positions in bytes."""
    return len(source[:index].encode("utf-8", "surrogatepass"))


def decode_entity(source: str, pos: int) -> tuple[str | None, int]:
    """Decode an HTML entity at source[pos] == '&' like TDLib; return (char or None, next index)."""
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        value = 0
        if end < n and source[end] == "x":  # TDLib accepts only a lowercase x
            end += 1
            start = end
            while end < n and source[end] in "0123456789abcdefABCDEF":
                end += 1
            digits = source[start:end]
            value = int(digits, 16) if digits else 0
        else:
            start = end
            while end < n and source[end].isascii() and source[end].isdigit():
                end += 1
            digits = source[start:end]
            value = int(digits) if digits else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None, pos
        char = chr(value)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(source[pos + 1 : end])
        if named is None:
            return None, pos
        char = named
    if end < n and source[end] == ";":
        end += 1
    return char, end


def parse_html(source: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML; raise EntityParseError with Telegram's reason when it would refuse."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    utf16 = 0
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "&":
            char, nxt = decode_entity(source, i)
            if char is not None:
                if 0xD800 <= ord(char) <= 0xDFFF:
                    raise EntityParseError(
                        "Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units"
                    )
                out.append(char)
                utf16 += 2 if ord(char) > 0xFFFF else 1
                i = nxt
                continue
            if strict_ampersand:
                # Stricter than Telegram (which keeps a lone '&' literally): catches unescaped data.
                raise EntityParseError(
                    f'Character "&" at byte offset {_byte_offset(source, i)} is not part of an HTML entity; '
                    'escape it as "&amp;"'
                )
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if i >= n or source[i] != "/":
            i = _parse_start_tag(source, begin, stack, utf16, len(out))
        else:
            i = _parse_end_tag(source, begin, stack, entities, out, utf16)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def _skip_spaces(source: str, i: int) -> int:
    """Advance past whitespace."""
    while i < len(source) and source[i] in _SPACES:
        i += 1
    return i


def _parse_start_tag(source: str, begin: int, stack: list[_OpenTag], utf16: int, out_len: int) -> int:
    """Parse '<tag attr=...>' starting at begin; push it; return the index after '>'."""
    n = len(source)
    offset = _byte_offset(source, begin)
    i = begin + 1
    while i < n and source[i] not in _SPACES and source[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
    name = source[begin + 1 : i].lower()
    if name not in SUPPORTED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    attrs: dict[str, str] = {}
    while True:
        i = _skip_spaces(source, i)
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if source[i] == ">":
            break
        attr_start = i
        while i < n and source[i] not in _SPACES and source[i] not in "=>":
            i += 1
        attr_name = source[attr_start:i].lower()
        if not attr_name:
            raise EntityParseError(f'Empty attribute name in the tag "{name}" at byte offset {offset}')
        i = _skip_spaces(source, i)
        value = ""
        if i < n and source[i] == "=":
            i = _skip_spaces(source, i + 1)
            if i >= n:
                raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
            value, i = _parse_attr_value(source, i, offset)
        attrs[attr_name] = value
    _check_tag_attrs(name, attrs, offset)
    stack.append(_OpenTag(name, attrs, utf16, out_len))
    return i + 1


def _parse_attr_value(source: str, i: int, tag_offset: int) -> tuple[str, int]:
    """Parse a quoted string or a bare name token; return (value, next index)."""
    n = len(source)
    if source[i] in "'\"":
        quote = source[i]
        i += 1
        chars: list[str] = []
        while i < n and source[i] != quote:
            if source[i] == "&":
                char, nxt = decode_entity(source, i)
                if char is not None:
                    chars.append(char)
                    i = nxt
                    continue
            chars.append(source[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        return "".join(chars), i + 1
    start = i
    while i < n and (source[i].isascii() and source[i].isalnum() or source[i] in ".-"):
        i += 1
    if i < n and source[i] not in _SPACES and source[i] != ">":
        raise EntityParseError(f"Unexpected end of name token at byte offset {_byte_offset(source, start)}")
    return source[start:i].lower(), i


def _check_tag_attrs(name: str, attrs: dict[str, str], offset: int) -> None:
    """Refuse tags whose mandatory attributes are missing."""
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')


def _parse_end_tag(
    source: str,
    begin: int,
    stack: list[_OpenTag],
    entities: list[dict[str, Any]],
    out: list[str],
    utf16: int,
) -> int:
    """Parse '</tag>' at begin, close the innermost open tag into an entity; return next index."""
    n = len(source)
    offset = _byte_offset(source, begin)
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
    i = begin + 2
    while i < n and source[i] not in _SPACES and source[i] != ">":
        i += 1
    end_name = source[begin + 2 : i]
    i = _skip_spaces(source, i)
    if i >= n or source[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
    top = stack.pop()
    if end_name and end_name.lower() != top.name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", found "</{end_name}>"'
        )
    length = utf16 - top.utf16_start
    if length > 0:
        entity = _make_entity(top, length, "".join(out[top.out_index :]), entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _make_entity(tag: _OpenTag, length: int, content: str, entities: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Build the MessageEntity for a closed tag (None when Telegram would drop it)."""
    base: dict[str, Any] = {"offset": tag.utf16_start, "length": length}
    if tag.name in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[tag.name], **base}
    if tag.name == "a":
        url = tag.attrs.get("href") or content
        return {"type": "text_link", **base, "url": url} if url.strip() else None
    if tag.name == "tg-emoji":
        return {"type": "custom_emoji", **base, "custom_emoji_id": tag.attrs["emoji-id"]}
    if tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        return {"type": kind, **base}
    if tag.name == "code":
        css = tag.attrs.get("class", "")
        language = css[len("language-") :] if css.startswith("language-") else ""
        return {"type": "code", **base, "language": language}
    # <pre>: a <code class="language-x"> spanning the whole block makes it a pre with language.
    last = entities[-1] if entities else None
    if last and last["type"] == "code" and last["offset"] == base["offset"] and last["length"] == length:
        entities.pop()
        if last.get("language"):
            return {"type": "pre", **base, "language": last["language"]}
    return {"type": "pre", **base}
