"""How alert digests read to a PIC, and the national digest to an organizer."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.common import Reply, telegram_length
from handlers.formatting import local_date, meeting_short_date, meeting_title, meeting_when, role_fills
from handlers.texts import Html, Texts
from models.alert_rules import NATIONAL_ZONE
from models.alerts import Alert, AlertKind, names_of, role_names, take_digest
from models.outbox import OutboxMessage
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


def _fit(head: list[str], lines: list[str], more: str, texts: Texts) -> Html:
    """Head and as many lines as fit in one message; the rest summed up as `more`."""
    text = "\n".join(head)
    for index, line in enumerate(lines):
        if telegram_length(f"{text}\n{line}") > BUDGET:
            return Html(f"{text}\n{texts(more, count=len(lines) - index)}")
        text = f"{text}\n{line}"
    return Html(text)


async def render_pic_alerts(session: AsyncSession, message: OutboxMessage, texts: Texts, now: datetime) -> Reply | None:
    """A PIC's digest of their meeting's alerts; None when nothing is left for them."""
    digest = await take_digest(session, message)
    if digest is None:
        return None
    alerts = digest.alerts
    people: set[int] = set()
    for alert in alerts:
        details = alert.details
        people.update(i for i in (details.get("registration_id"), details.get("to_registration_id")) if i)
        people.update(details.get("registration_ids", []))
    names = await names_of(session, people)
    roles = await role_names(
        session, {a.role_id for a in alerts if a.role_id} | {r[0] for a in alerts for r in a.details.get("roles", [])}
    )

    def name(registration_id: int | None) -> str:
        return names.get(registration_id or 0) or texts.plain("alerts_erased")

    def listed(registration_ids: list[int]) -> str:
        shown = [name(i) for i in registration_ids[:NAMES_SHOWN]]
        if len(registration_ids) > NAMES_SHOWN:
            shown.append(texts.plain("alerts_more_names", count=len(registration_ids) - NAMES_SHOWN))
        return ", ".join(shown)

    def fills(summary: list[list[int]]) -> Html:
        return Html(
            ", ".join(texts("alerts_role_fill", role=roles.get(r, "?"), taken=t, seats=s) for r, t, s in summary)
        )

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
            ids = group[-1].details["registration_ids"]
            lines.append(texts("alerts_unconfirmed", count=len(ids), names=listed(ids)))
        elif kind == AlertKind.LAGGING:
            for alert in group:
                days = max((starts_at - alert.created_at).days, 0) if starts_at else 0
                lines.append(texts("alerts_lagging", days=days, roles=fills(alert.details["roles"])))
        elif kind in (AlertKind.FULL, AlertKind.THRESHOLD):
            key = "alerts_full" if kind == AlertKind.FULL else "alerts_threshold"
            lines += [
                texts(key, role=roles.get(a.role_id or 0, "?"), taken=a.details["taken"], seats=a.details["seats"])
                for a in group
            ]
        elif kind == AlertKind.SEAT_FREED:
            for alert in group:
                details = alert.details
                role = roles.get(alert.role_id or 0, "?")
                cause = texts(f"alerts_cause_{details['cause']}", name=name(details["registration_id"]), role=role)
                lines.append(
                    texts(
                        f"alerts_fate_{details['fate']}",
                        cause=cause,
                        name=name(details["to_registration_id"]),
                        taken=details["taken"],
                        seats=details["seats"],
                    )
                )
        elif kind == AlertKind.WAITLIST_GREW:
            per_role: dict[int, list[Alert]] = defaultdict(list)
            for alert in group:
                per_role[alert.role_id or 0].append(alert)
            for role_id, joined in per_role.items():
                lines.append(
                    texts(
                        "alerts_waitlist",
                        role=roles.get(role_id, "?"),
                        added=len(joined),
                        names=listed([a.details["registration_id"] for a in joined]),
                        waiting=joined[-1].details["waiting"],
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
    return Reply(message.recipient_chat_id or 0, _fit(head, lines, "alerts_more", texts))


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
