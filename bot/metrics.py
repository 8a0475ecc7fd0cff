"""Prometheus metrics of one Application, served at /metrics (`exposition`).

Counters and the latency histogram are fed as the bot works: each handled update
(`bot.update_processor`) and each Bot API response (`MeteredRequest`, through which every call of
the bot passes, limited or not). The outbox backlog and the pending alerts are read from the
database when scraped, in one short transaction. Each Application has a registry of its own (tests
build several in one process); it is kept in bot_data. Labels come from small fixed sets: update
kinds, outcomes, handler and Bot API method names; never a chat, a user or a text.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram._utils.types import ODVInput
from telegram.ext import Application
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.rate_limit import is_limited_method
from bot.update_processor import HandledUpdate
from handlers.common import Services
from models.alerts import pending_alerts
from models.outbox import due_backlog

log = logging.getLogger(__name__)

METRICS = "metrics"
# From a quick answer (a few ms) to a report built in the file worker (seconds).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A Bot API method's name; a file download's URL ends in a file path instead.
_METHOD = re.compile(r"^[A-Za-z]{2,40}$")


class BotMetrics:
    """The bot's metrics in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "shm_updates_handled", "Updates handled, by kind and outcome", ["kind", "outcome"], registry=r
        )
        self.handler_seconds = Histogram(
            "shm_handler_duration_seconds",
            "Time from an update's turn to the end of its handling, by handler",
            ["handler"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sent = Counter(
            "shm_messages_sent",
            "Messages sent or edited that Telegram accepted, by Bot API method",
            ["method"],
            registry=r,
        )
        self.rate_limited = Counter(
            "shm_telegram_rate_limited",
            "Bot API calls refused with 429 (flood control), by method",
            ["method"],
            registry=r,
        )
        self.forbidden = Counter(
            "shm_telegram_forbidden",
            "Bot API calls refused with 403 (blocked by the person), by method",
            ["method"],
            registry=r,
        )
        self.outbox_backlog = Gauge("shm_outbox_backlog", "Outbox messages due now and not yet sent", registry=r)
        self.outbox_oldest_age = Gauge(
            "shm_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due outbox message has been due",
            registry=r,
        )
        self.alerts_pending = Gauge(
            "shm_alerts_pending", "Alert deliveries a PIC or organizer has yet to get", registry=r
        )
        self.digests_pending = Gauge("shm_alert_digests_pending", "Alert digests planned and not yet sent", registry=r)
        self.database_errors = Counter(
            "shm_metrics_database_errors",
            "Scrapes whose database gauges could not be read (they kept their values)",
            registry=r,
        )

    def observe_update(self, handled: HandledUpdate) -> None:
        """Count one handled update and its handler's time."""
        self.updates.labels(handled.kind, handled.outcome).inc()
        self.handler_seconds.labels(handled.handler).observe(handled.seconds)

    def observe_response(self, url: str, status: int) -> None:
        """Count one Bot API response by what it says about sending."""
        method = url.rsplit("/", 1)[-1]
        if not _METHOD.match(method):
            return
        if 200 <= status < 300 and is_limited_method(method):
            self.sent.labels(method).inc()
        elif status == 429:
            self.rate_limited.labels(method).inc()
        elif status == 403:
            self.forbidden.labels(method).inc()

    async def refresh(self, services: Services) -> None:
        """Read the gauges that live in the database, in one transaction."""
        async with services.sessions() as session, session.begin():
            now = services.clock.now()
            backlog = await due_backlog(session, now=now)
            alerts = await pending_alerts(session)
        self.outbox_backlog.set(backlog.due)
        self.outbox_oldest_age.set(_age(now, backlog.oldest_due_at))
        self.alerts_pending.set(alerts.alerts)
        self.digests_pending.set(alerts.digests)


def _age(now: datetime, since: datetime | None) -> float:
    if since is None:
        return 0.0
    if since.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return max(0.0, (now - since).total_seconds())


class MeteredRequest(HTTPXRequest):
    """PTB's HTTP client, counting every response in the metrics (sends, 429s and 403s)."""

    def __init__(self, metrics: BotMetrics, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._metrics = metrics

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request as PTB does, and count its answer."""
        status, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        self._metrics.observe_response(url, status)
        return status, payload


def metrics_of(application: Application) -> BotMetrics:
    """The application's metrics (bot.app puts them in bot_data)."""
    metrics: BotMetrics = application.bot_data[METRICS]
    return metrics


async def exposition(application: Application) -> tuple[bytes, str]:
    """The /metrics page: the body in Prometheus' text format and its content type."""
    metrics = metrics_of(application)
    try:
        await metrics.refresh(application.bot_data["services"])
    except Exception as error:
        # The counters still say how the bot works; a database that cannot be read shows as this counter.
        log.warning("metrics: the database gauges were not read (%s)", type(error).__name__)
        metrics.database_errors.inc()
    return generate_latest(metrics.registry), CONTENT_TYPE_LATEST
