"""Prometheus metrics served on /metrics in webhook mode."""

from __future__ import annotations

import prometheus_client
from telegram.ext import Application


async def exposition(application: Application) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return prometheus_client.generate_latest(prometheus_client.REGISTRY), prometheus_client.CONTENT_TYPE_LATEST
