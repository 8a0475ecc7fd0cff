"""/metrics: counters of handled updates and sends, the handler latency histogram and the gauges read from the database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.app import build_application
from bot.database import create_engine, session_factory
from bot.metrics import BotMetrics, exposition, metrics_of
from bot.settings import Settings
from botapi_standin import WAIT, BotApiStandin
from models.alerts import AlertKind, PendingAlerts, pending_alerts, record_alert, take_digest
from models.outbox import MessageKind, OutboxMessage, OutboxStatus, plan_for_staff
from models.program import meeting_by_code
from models.reminder_plan import Slot
from models.staff import revoke_pic
from tests.conftest import with_shipped_program
from tests.e2e.chat import next_with
from tests.e2e.conftest import TOKEN, RunningBot, running_bot
from tests.models.factories import T0, make_pic, seat

BENGKULU = "shm23-bengkulu"
PIC = 6101
STAFF = 6102


def samples(body: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


async def outbox_idle(bot: RunningBot) -> None:
    """Wait until no update is being handled, the outbox sender is not running and no run of it is near."""
    runner = bot.application.bot_data["scheduler"].outbox
    processor = bot.application.update_processor
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT

    def busy() -> bool:
        soon = runner._wake_at is not None and runner._wake_at < loop.time() + 60
        return bool(runner._running or soon or processor.current_concurrent_updates)

    while busy():
        assert loop.time() < deadline, "the outbox sender never went idle"
        await asyncio.sleep(0.05)


async def test_the_exposition_counts_updates_sends_and_refusals_and_reads_the_backlog(db_url: str) -> None:
    async with (
        BotApiStandin(bot_username="shm_test_bot") as standin,
        running_bot(standin, db_url, outbox_poll_seconds=3600) as bot,
    ):

        async def setup(session):
            await make_pic(session, BENGKULU, PIC)
            return [(await seat(session, BENGKULU, "stakeholder", n)).participant for n in range(3)]

        people = await bot.query(setup)
        users = [standin.user(p.telegram_user_id) for p in people]
        await users[1].block(notify=False)
        pic = standin.user(PIC)
        await pic.send_text("/umumkan")
        await next_with(pic, "Ketik pengumuman")
        await pic.send_text("Rapat pindah ke Aula")
        preview = await next_with(pic, "Rapat pindah ke Aula")
        await pic.press(preview, text="Kirim ke")
        await next_with(pic, "diterima oleh")

        # Two messages due five and two minutes ago that no sender run has claimed yet.
        await outbox_idle(bot)

        async def due(session) -> None:
            for minutes in (5, 2):
                await plan_for_staff(
                    session,
                    user_id=STAFF,
                    chat_id=STAFF,
                    kind=MessageKind.NATIONAL_DIGEST,
                    slot=Slot(f"metrics-{minutes}", T0 - timedelta(minutes=minutes)),
                    now=T0,
                    subject_id=None,
                )

        await bot.query(due)
        body, content_type = await exposition(bot.application)

    assert content_type.startswith("text/plain")
    values = samples(body)
    updates = {labels: v for (name, labels), v in values.items() if name == "shm_updates_handled_total"}
    assert updates[(("kind", "message"), ("outcome", "ok"))] >= 2
    assert updates[(("kind", "callback_query"), ("outcome", "ok"))] >= 1
    latency = {labels: v for (name, labels), v in values.items() if name == "shm_handler_duration_seconds_count"}
    assert latency[(("handler", "staff.on_umumkan"),)] == 1
    assert latency[(("handler", "announcements.on_button"),)] == 1
    assert values[("shm_handler_duration_seconds_bucket", (("handler", "staff.on_umumkan"), ("le", "+Inf")))] == 1
    # The announcement to the two who did not block the bot, its report, and the answers to the PIC.
    assert values[("shm_messages_sent_total", (("method", "sendMessage"),))] >= 5
    assert values[("shm_telegram_forbidden_total", (("method", "sendMessage"),))] == 1
    assert values[("shm_outbox_backlog", ())] == 2
    assert values[("shm_outbox_oldest_due_age_seconds", ())] == 300
    assert ("shm_alerts_pending", ()) in values and ("shm_alert_digests_pending", ()) in values
    # Nobody is named in it: label values are kinds, outcomes, handlers and methods, never ids or names.
    ids = {str(p.telegram_user_id) for p in people} | {str(PIC), str(STAFF)}
    label_values = {value for _, labels in values for _, value in labels}
    assert not {v for v in label_values if any(i in v for i in ids)}
    assert all(p.full_name not in body.decode() and p.phone_e164 not in body.decode() for p in people)


def test_each_application_has_a_registry_of_its_own(tmp_path) -> None:
    settings = Settings(bot_token=TOKEN, database_url=f"sqlite+aiosqlite:///{tmp_path}/metrics.sqlite3")
    first, second = build_application(settings), build_application(settings)
    one, other = metrics_of(first), metrics_of(second)
    assert one.registry is not other.registry
    one.updates.labels("message", "ok").inc()
    assert b'shm_updates_handled_total{kind="message",outcome="ok"} 1.0' in generate_latest(one.registry)
    assert b'kind="message"' not in generate_latest(other.registry)


async def test_pending_alerts_are_those_a_pic_will_still_get(db_url: str) -> None:
    """Deliveries on a digest still to go, or untaken for a live PIC; not those of a revoked PIC or sent ones."""
    await with_shipped_program(db_url)
    engine = create_engine(db_url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            meeting = await meeting_by_code(session, BENGKULU)
            assert meeting is not None
            staying = await make_pic(session, BENGKULU, PIC)
            leaving = await make_pic(session, BENGKULU, STAFF)
            await record_alert(session, meeting, AlertKind.LAGGING, key="one", now=T0 + timedelta(minutes=1))
            await record_alert(session, meeting, AlertKind.LAGGING, key="two", now=T0 + timedelta(minutes=2))
            # Two alerts for two PICs, on one digest each.
            assert await pending_alerts(session) == PendingAlerts(alerts=4, digests=2)
            await revoke_pic(session, leaving.id, revoked_by=PIC, now=T0 + timedelta(minutes=3))
            digest = await session.scalar(
                select(OutboxMessage).where(
                    OutboxMessage.recipient_user_id == STAFF, OutboxMessage.kind == MessageKind.PIC_ALERTS
                )
            )
            digest.status = OutboxStatus.OBSOLETE
            sent = await session.scalar(
                select(OutboxMessage).where(
                    OutboxMessage.recipient_user_id == PIC, OutboxMessage.kind == MessageKind.PIC_ALERTS
                )
            )
            # The staying PIC's digest takes its alerts and goes out; the revoked PIC's are nobody's now.
            assert await take_digest(session, sent) is not None
            sent.status = OutboxStatus.SENT
            assert await pending_alerts(session) == PendingAlerts(alerts=0, digests=0)
            assert staying.revoked_at is None
    finally:
        await engine.dispose()


async def test_a_database_that_cannot_be_read_still_leaves_the_counters(tmp_path) -> None:
    # Never migrated: the outbox table is missing.
    settings = Settings(bot_token=TOKEN, database_url=f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3")
    application = build_application(settings)
    try:
        metrics_of(application).updates.labels("message", "ok").inc()
        body, _ = await exposition(application)
    finally:
        await application.bot_data["engine"].dispose()
    assert b"shm_metrics_database_errors_total 1.0" in body
    assert b'shm_updates_handled_total{kind="message",outcome="ok"} 1.0' in body


def test_bot_api_answers_are_counted_by_method_never_by_url() -> None:
    metrics = BotMetrics()
    base = f"http://127.0.0.1:1/bot{TOKEN}"
    for url, status in (
        (f"{base}/sendMessage", 200),
        (f"{base}/editMessageText", 200),
        (f"{base}/getMe", 200),
        (f"{base}/sendMessage", 429),
        (f"{base}/sendDocument", 403),
        (f"http://127.0.0.1:1/file/bot{TOKEN}/documents/file_1.xlsx", 200),
    ):
        metrics.observe_response(url, status)
    body = generate_latest(metrics.registry).decode()
    assert 'shm_messages_sent_total{method="sendMessage"} 1.0' in body
    assert 'shm_messages_sent_total{method="editMessageText"} 1.0' in body
    assert "getMe" not in body and "xlsx" not in body and TOKEN.split(":")[1] not in body
    assert 'shm_telegram_rate_limited_total{method="sendMessage"} 1.0' in body
    assert 'shm_telegram_forbidden_total{method="sendDocument"} 1.0' in body
