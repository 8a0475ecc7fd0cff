"""How Telegram measures a text, for limits checked in the domain (an announcement) and in handlers alike."""

from __future__ import annotations


def telegram_length(text: str) -> int:
    """The text's length as Telegram counts it: in UTF-16 code units, so an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2
