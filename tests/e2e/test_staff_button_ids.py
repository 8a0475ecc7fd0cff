"""Staff buttons check who presses them before anything is looked up: no answer tells an existing id from a made-up one."""

from __future__ import annotations

from sqlalchemy import select

from handlers import callback_data as cb
from models.announcement import draft_announcement
from models.program import Role, meeting_by_code
from models.roster import add
from models.staff import create_invite
from tests.e2e.chat import next_with
from tests.e2e.test_staff_changes import unchanged_state
from tests.models.factories import T0, make_pic, seat

ACEH, BENGKULU = "shm23-aceh", "shm23-bengkulu"
ACEH_PIC, BENGKULU_PIC, PARTICIPANT = 7002, 7001, 6201
# No row of any table reaches this id in a test.
MADE_UP = 987_654


def staff_actions(meeting: int, registration: int, role: int, announcement: int, invite: int, assignment: int):
    """Every staff button (handlers/callback_data.py), naming these ids."""
    return [
        cb.RosterPick("mv", registration),
        cb.RosterPick("rm", registration),
        cb.RosterMoveTo(registration, role),
        cb.RecordAttendance(registration, True),
        cb.RecordAttendance(registration, False),
        cb.ConfirmRecordedAbsence(registration),
        cb.KeepRecordedSeat(registration),
        cb.PicFromRegistration(registration),
        cb.AnnounceSend(announcement),
        cb.AnnounceDrop(announcement),
        cb.PicWithdrawInvite(invite),
        cb.PicWithdrawInviteConfirmed(invite),
        cb.PicRevoke(assignment),
        cb.PicRevokeConfirmed(assignment),
        cb.PicInvite(meeting),
        cb.PicPanel(meeting),
        cb.StaffPick("peserta", meeting),
        cb.StaffPick("ekspor", meeting),
        cb.RosterPage("mv", meeting, 0),
        cb.RosterListPage(meeting, 0),
        cb.RosterAddRole(meeting, role),
        cb.ProjectorShow(meeting),
        cb.ProjectorRefresh(meeting),
        cb.CheckInPage(meeting, 0),
        cb.CheckInPage(meeting, 1),
        cb.CheckInTap(registration, 0),
        cb.EvaluationMeeting(meeting),
        cb.EvaluationPage(0),
    ]


async def aceh_ids(session) -> tuple[int, ...]:
    """Aceh's meeting, someone a PIC added by hand (whose attendance the PIC records), a role, a draft, an invite, a PIC."""
    aceh = await meeting_by_code(session, ACEH)
    assert aceh is not None
    assignment = await make_pic(session, ACEH, ACEH_PIC)
    await make_pic(session, BENGKULU, BENGKULU_PIC)
    await seat(session, ACEH, "stakeholder", 1)
    pemustaka = await session.scalar(select(Role.id).where(Role.code == "pemustaka"))
    added = await add(
        session,
        meeting=aceh,
        role_id=pemustaka,
        full_name="Budi Santoso",
        institution="Desa Sukamaju",
        position="Kepala Desa",
        phone_e164="+6281311112222",
        actor_user_id=ACEH_PIC,
        reason="formulir kertas",
        now=T0,
    )
    stakeholder = await session.scalar(select(Role.id).where(Role.code == "stakeholder"))
    announcement = await draft_announcement(
        session, meeting_id=aceh.id, author_user_id=ACEH_PIC, author_chat_id=ACEH_PIC, body="Info Aceh", now=T0
    )
    invite = await create_invite(session, meeting_id=aceh.id, created_by=1, now=T0)
    return aceh.id, added.id, stakeholder, announcement.id, invite.id, assignment.id


async def answer_to(user, data: str) -> tuple[str | None, list[str]]:
    """The notice and the messages a press of forged data gets, up to the answer of a /status sent after it."""
    await user.send_text("/status")
    anchor = await next_with(user, "belum terdaftar")
    seen = len(user.messages)
    await user.press_forged(anchor, data)
    notice = (await user.wait_callback_answer()).text
    # One person's updates are handled in order: whatever the press answered came before this.
    await user.send_text("/status")
    await next_with(user, "belum terdaftar")
    return notice, [m.plain_text for m in user.messages[seen:-1]]


async def test_nobody_can_count_another_provinces_records_with_staff_buttons(bot) -> None:
    ids = await bot.query(aceh_ids)
    before = await bot.query(unchanged_state)
    real = staff_actions(*ids)
    made_up = staff_actions(*[MADE_UP] * len(ids))
    for presser in (bot.standin.user(PARTICIPANT), bot.standin.user(BENGKULU_PIC)):
        for existing, missing in zip(real, made_up, strict=True):
            answered = await answer_to(presser, cb.pack(existing))
            assert answered == await answer_to(presser, cb.pack(missing)), (presser.id, existing)
            notice, said = answered
            # Refused, never taken for a button that merely went out of date.
            assert notice is not None and "hanya untuk panitia" in notice, (presser.id, existing, notice)
            assert said and all("hanya untuk panitia" in text for text in said), (presser.id, existing, said)
            assert not any("Budi" in text or "Aceh" in text for text in said), presser.transcript()
    assert await bot.query(unchanged_state) == before
