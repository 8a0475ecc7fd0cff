"""Telegram handlers: one module per conversation, all thin over the domain in `models`."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    announcements,
    attendance,
    attendance_list,
    cancellation,
    certificates,
    check_in,
    check_in_roster,
    corrections,
    evaluation,
    help,
    personal_data,
    pic_management,
    program_upload,
    reachability,
    registration,
    reports,
    roster,
    seat_offers,
    self_check_in,
    shell,
    staff,
    status,
    steps,
)
from handlers.errors import on_error


def register_all(application: Application) -> None:
    """Add every handler; the shell's catch-alls go last so that they only get what nobody else took."""
    for module in (
        shell,
        registration,
        steps,
        status,
        cancellation,
        attendance,
        seat_offers,
        check_in,
        personal_data,
        corrections,
        reachability,
        help,
        staff,
        pic_management,
        announcements,
        roster,
        program_upload,
        reports,
        self_check_in,
        check_in_roster,
        attendance_list,
        certificates,
        evaluation,
    ):
        module.register_handlers(application)
    shell.register_fallbacks(application)
    application.add_error_handler(on_error)
