"""The retention job on python-telegram-bot's JobQueue (APScheduler).

The other recurring jobs are registered by whoever runs them, in their `attach()`: the outbox
sweep and wake-ups in `bot.outbox.OutboxSender`, the alert check in `bot.alerts.AlertWatch`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from handlers.common import services
from models.personal_data import purge_expired

log = logging.getLogger(__name__)

RETENTION_JOB = "retention"


async def enforce_retention(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete personal data past its retention period."""
    svc = services(context)
    async with svc.sessions() as session, session.begin():
        report = await purge_expired(session, now=svc.clock.now(), retention_days=svc.settings.retention_days)
    log.info("retention: %d participants erased, %d abandoned drafts cleared",
             report.participants_erased, report.drafts_cleared)


def schedule_jobs(application: Application) -> None:
    """Plan the recurring jobs: retention once a day, the first a minute after start."""
    application.job_queue.run_repeating(enforce_retention, interval=timedelta(days=1),
                                        first=timedelta(minutes=1), name=RETENTION_JOB)
