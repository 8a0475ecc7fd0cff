"""QR codes as PNG images: a person's check-in code, the projector's meeting code, a certificate's check."""

from __future__ import annotations

import io

import segno


def qr_png(content: str, *, scale: int = 8) -> bytes:
    """A PNG of a QR code holding `content` (a t.me link), with the quiet zone scanners need."""
    # Error correction M survives a smudged print or a glare on a phone screen; a t.me link of 80
    # characters still fits a small version, which phone cameras read at arm's length.
    code = segno.make(content, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
