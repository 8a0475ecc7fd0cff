"""An image's size read from its header, for the photo limits Telegram enforces on sendPhoto."""

from __future__ import annotations

import struct

from .errors import bad_request

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Telegram's limits for a photo: width and height together, and the longer side over the shorter.
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
# JPEG's start-of-frame markers (C0-CF) but DHT, JPG and DAC, which share the range.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers standing alone, without a length (TEM, RSTn, SOI, EOI).
_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk or a JPEG's SOF segment; None when the header says neither."""
    if data.startswith(PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:
            # Fill bytes may pad before a marker.
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF_MARKERS:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if marker == 0xDA:
            # The scan starts: a frame header would have come before it.
            return None
        at += 2 + length
    return None


def photo_dimensions_ok(width: int, height: int) -> bool:
    """Whether Telegram takes a photo of this size: sides summing to at most 10,000, a ratio at most 20."""
    if width <= 0 or height <= 0:
        return False
    return width + height <= MAX_PHOTO_SIDES and max(width, height) <= MAX_PHOTO_RATIO * min(width, height)


def check_photo(data: bytes | None) -> None:
    """Refuse, as Telegram does, a photo upload whose header gives a size Telegram does not take."""
    size = image_size(data) if data else None
    if size is not None and not photo_dimensions_ok(*size):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
