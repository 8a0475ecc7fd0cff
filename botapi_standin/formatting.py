"""Validation of message text/captions: parse_mode dispatch and Telegram's length limits."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .html_entities import EntityParseError, ParsedText, parse_html, utf16_len
from .markdown_entities import parse_markdown, parse_markdown_v2

MAX_TEXT = 4096
MAX_CAPTION = 1024


def parse_formatted(text: str, parse_mode: str | None, entities: Any = None, *, strict_html: bool = True) -> ParsedText:
    """Parse text per parse_mode; raise ApiError "can't parse entities: ..." like Telegram."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return parse_html(text, strict_ampersand=strict_html)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
        if mode == "markdown":
            return parse_markdown(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if mode:
        raise bad_request("unsupported parse_mode")
    return ParsedText(text, list(entities) if isinstance(entities, list) else [])


def check_text(text: Any, parse_mode: str | None, entities: Any, *, strict_html: bool) -> ParsedText:
    """Validate a message text (1..4096 UTF-16 units after parsing)."""
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    parsed = parse_formatted(text, parse_mode, entities, strict_html=strict_html)
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def check_caption(caption: Any, parse_mode: str | None, entities: Any, *, strict_html: bool) -> ParsedText:
    """Validate an optional media caption (0..1024 UTF-16 units after parsing)."""
    if caption is None or caption == "":
        return ParsedText("")
    parsed = parse_formatted(str(caption), parse_mode, entities, strict_html=strict_html)
    if utf16_len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return parsed
