"""How alert digests read to a PIC, and the national digest to an organizer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common import Reply
from handlers.formatting import local_date, meeting_short_date, meeting_title, meeting_when, role_fills
from handlers.html_text import visible_length
from handlers.planned_messages import time_left
from handlers.texts import Html, Texts
from models.alert_digest import CurrentDigest, current_digest
from models.alert_rules import NATIONAL_ZONE
from models.alerts import Alert, AlertKind, SeatFate, names_of, role_names
from models.outbox import OutboxMessage
from models.registration import RegistrationStatus, RoleAvailability
from models.reports import meetings_ahead

# Room left under Telegram's 4096 characters for the closing "… and N more" line.
BUDGET = 3900
# Names listed in one line of a digest; the rest are counted.
NAMES_SHOWN = 15
# Digest sections, most pressing first.
ORDER = (
    AlertKind.UNCONFIRMED,
    AlertKind.LAGGING,
    AlertKind.FULL,
    AlertKind.THRESHOLD,
    AlertKind.SEAT_FREED,
    AlertKind.WAITLIST_GREW,
    AlertKind.UNREACHABLE,
    AlertKind.DETAILS_CORRECTED,
)


def _fit(head: Sequence[str], lines: Sequence[str], more: str, texts: Texts) -> Html:
    """Head and as many lines as fit in one message; the rest summed up as `more`."""
    text = "\n".join(head)
    for index, line in enumerate(lines):
        if visible_length(f"{text}\n{line}") > BUDGET:
            return Html(f"{text}\n{texts(more, count=len(lines) - index)}")
        text = f"{text}\n{line}"
    return Html(text)


async def render_pic_alerts(session: AsyncSession, message: OutboxMessage, texts: Texts, now: datetime) -> Reply | None:
    """A PIC's digest of their meeting's alerts, as the meeting stands now; None when nothing is left to say."""
    digest = await current_digest(session, message, now=now)
    if digest is None:
        return None
    alerts = digest.alerts
    people: set[int] = {*digest.unconfirmed, *digest.unrecorded_by_hand}
    for alert in alerts:
        details = alert.details
        people.update(i for i in (details.get("registration_id"), details.get("to_registration_id")) if i)
    names = await names_of(session, people)
    roles = await role_names(session, {a.role_id for a in alerts if a.role_id})

    def name(registration_id: int | None) -> str:
        return names.get(registration_id or 0) or texts.plain("alerts_erased")

    def listed(registration_ids: list[int]) -> str:
        shown = [name(i) for i in registration_ids[:NAMES_SHOWN]]
        if len(registration_ids) > NAMES_SHOWN:
            shown.append(texts.plain("alerts_more_names", count=len(registration_ids) - NAMES_SHOWN))
        return ", ".join(shown)

    def fill_of(role_id: int | None) -> RoleAvailability | None:
        return digest.fills.get(role_id or 0)

    by_kind: dict[AlertKind, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_kind[AlertKind(alert.kind)].append(alert)
    starts_at = digest.meeting.starts_at
    lines: list[str] = []
    for kind in ORDER:
        group = by_kind.get(kind, [])
        if not group:
            continue
        if kind == AlertKind.UNCONFIRMED:
            ids = digest.unconfirmed
            # Sent late (the bot was down, a clock jumped), it says how near the meeting is now; once
            # the meeting has started nobody can answer any more, and the line is left out.
            if ids and starts_at is not None and now < starts_at:
                lead = time_left(starts_at, now, texts)
                lines.append(texts("alerts_unconfirmed", lead=lead, count=len(ids), names=listed(ids)))
            by_hand = digest.unrecorded_by_hand
            if by_hand:
                lines.append(texts("alerts_unrecorded_by_hand", count=len(by_hand), names=listed(by_hand)))
        elif kind == AlertKind.LAGGING:
            assert starts_at is not None  # only a dated meeting lags
            lines.append(
                texts("alerts_lagging", lead=time_left(starts_at, now, texts), roles=role_fills(digest.behind, texts))
            )
        elif kind in (AlertKind.FULL, AlertKind.THRESHOLD):
            # Threshold and full of one role are merged into one line that says how full it is now.
            for alert in group:
                fill = fill_of(alert.role_id)
                assert fill is not None  # `still_news` keeps only roles it has figures for
                key = "alerts_full" if fill.full else "alerts_threshold"
                lines.append(texts(key, role=fill.role.name, taken=fill.taken, seats=fill.seats))
        elif kind == AlertKind.SEAT_FREED:
            for alert in group:
                lines.append(_freed_line(alert, digest, roles, name, texts))
        elif kind == AlertKind.WAITLIST_GREW:
            per_role: dict[int, list[Alert]] = defaultdict(list)
            for alert in group:
                per_role[alert.role_id or 0].append(alert)
            for role_id, joined in per_role.items():
                fill = fill_of(role_id)
                lines.append(
                    texts(
                        "alerts_waitlist",
                        role=roles.get(role_id, "?"),
                        added=len(joined),
                        names=listed([a.details["registration_id"] for a in joined]),
                        waiting=fill.waitlisted if fill else joined[-1].details["waiting"],
                    )
                )
        elif kind == AlertKind.UNREACHABLE:
            lines.append(
                texts(
                    "alerts_unreachable", count=len(group), names=listed([a.details["registration_id"] for a in group])
                )
            )
        elif kind == AlertKind.DETAILS_CORRECTED:
            # One line however often each person corrected: the roster has the details as they are now.
            ids = list(dict.fromkeys(a.details["registration_id"] for a in group))
            lines.append(texts("alerts_corrected", count=len(ids), names=listed(ids)))
    head = [texts("alerts_title", meeting=meeting_title(digest.meeting), when=meeting_when(digest.meeting, texts))]
    if digest.for_organizers:
        head.append(texts("alerts_pic_appointed" if digest.pic_appointed else "alerts_no_pic"))
    return Reply(message.recipient_chat_id or 0, _fit(head, lines, "alerts_more", texts))


def _freed_line(
    alert: Alert, digest: CurrentDigest, roles: dict[int, str], name: Callable[[int | None], str], texts: Texts
) -> Html:
    """A freed seat: who left it and where it went, with what became of it since."""
    details = alert.details
    role = roles.get(alert.role_id or 0, "?")
    cause = texts(f"alerts_cause_{details['cause']}", name=name(details["registration_id"]), role=role)
    fill = digest.fills.get(alert.role_id or 0)
    taken, seats = (fill.taken, fill.seats) if fill else (details["taken"], details["seats"])
    fate = details["fate"]
    receiver = details["to_registration_id"]
    if fate == SeatFate.OFFERED:
        # The offer may have been answered since it was made.
        status = digest.statuses.get(receiver)
        answered = {RegistrationStatus.OFFERED: "offered", RegistrationStatus.SEATED: "offered_taken"}
        fate = answered.get(status, "offered_passed") if status is not None else "offered_passed"
    elif fate == SeatFate.VACANT and fill is not None and fill.full:
        fate = "vacant_refilled"
    return texts(f"alerts_fate_{fate}", cause=cause, name=name(receiver), taken=taken, seats=seats)


async def render_national_digest(
    session: AsyncSession, message: OutboxMessage, texts: Texts, now: datetime
) -> Reply | None:
    """An organizer's daily summary of the meetings still ahead: at risk first, then the others, then totals."""
    ahead = await meetings_ahead(session, now=now)
    at_risk = [r for r in ahead if r.at_risk]
    head = [
        texts("national_title", date=local_date(now.astimezone(NATIONAL_ZONE), texts)),
        texts(
            "national_totals",
            meetings=len(ahead),
            taken=sum(r.total("taken") for r in ahead),
            seats=sum(r.total("seats") for r in ahead),
            waiting=sum(r.total("waitlisted") for r in ahead),
            at_risk=len(at_risk),
        ),
        "",
    ]
    lines: list[str] = [texts("national_at_risk", count=len(at_risk)) if at_risk else texts("national_none_at_risk")]
    for recap in at_risk:
        lines.append(
            texts(
                "national_risk_line",
                meeting=meeting_title(recap.meeting),
                date=meeting_short_date(recap.meeting, texts),
                roles=role_fills(recap.behind, texts),
            )
        )
    others = [r for r in ahead if not r.at_risk]
    if others:
        lines.append(texts("national_others"))
    lines += [
        texts(
            "national_line",
            meeting=meeting_title(r.meeting),
            date=meeting_short_date(r.meeting, texts),
            taken=r.total("taken"),
            seats=r.total("seats"),
            waiting=r.total("waitlisted"),
        )
        for r in others
    ]
    return Reply(message.recipient_chat_id or 0, _fit(head, lines, "national_more", texts))
