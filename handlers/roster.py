"""/ubah (or directly /pindah, /tambah, /keluarkan): a PIC's or organizer's changes to a meeting's roster, each with a reason.

On a phone a participant is picked from the roster with buttons (a page at a time), a role with
buttons, and the reason is typed last: typing it makes the change. Every button and the typed
reason re-check on the server that the person may manage the meeting concerned.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Turn, conversation_turn
from handlers.formatting import meeting_title
from handlers.shell import stale
from handlers.staff import authority, command_handler, managed_meeting, refuse, staff_command
from handlers.steps import keeps_draft, text_step
from handlers.texts import Html
from handlers.views import page_count, page_nav, role_label
from models.attendance import Outcome, answered_by_staff, record_attendance_for
from models.person_details import MAX_TEXT_LENGTH, InvalidDetail, clean_text, normalise_phone, phone_as_written
from models.program import Meeting
from models.registration import TAKES_A_SEAT, Registration, RegistrationStatus, availability
from models.roster import MAX_REASON_LENGTH, RosterError, RosterProblem, add, check_target, live_roster, move, remove
from models.seats import FreedSeat
from models.staff import Authority

# Participants per roster page: 30 seats and their waiting lists in a few pages.
PAGE = 10
MOVE, REMOVE = "mv", "rm"
ADD_DETAILS, ADD_ROLE = "roster_add_details", "roster_add_role"
REASON_STEPS = {"mv": "roster_move_reason", "rm": "roster_remove_reason", "add": "roster_add_reason"}
# The same reasons typed after the meeting started, where a change is a correction of the record.
CORRECTION_STEPS = {"mv": "roster_move_correction", "rm": "roster_remove_correction", "add": "roster_add_correction"}


def _label(turn: Turn, registration: Registration) -> str:
    status = "seated" if registration.status in TAKES_A_SEAT else "waiting"
    return turn.texts.label(f"roster_person_{status}", name=registration.full_name, role=registration.role.name)


async def _roster_page(turn: Turn, op: str, meeting: Meeting, page: int) -> tuple[Html, InlineKeyboardMarkup | None]:
    people = await live_roster(turn.session, meeting.id)
    if not people:
        return turn.texts("roster_empty", meeting=meeting_title(meeting)), None
    pages = page_count(len(people), PAGE)
    page, nav = page_nav(turn.texts, page, pages, lambda n: cb.RosterPage(op, meeting.id, n))
    rows = [[cb.button(_label(turn, r), cb.RosterPick(op, r.id))] for r in people[page * PAGE : (page + 1) * PAGE]]
    if nav:
        rows.append(nav)
    text = turn.texts(f"roster_pick_{op}", meeting=meeting_title(meeting), page=page + 1, pages=pages)
    return text, InlineKeyboardMarkup(rows)


async def _show_roster(turn: Turn, op: str, meeting: Meeting) -> None:
    turn.conversation.clear_draft()
    text, keyboard = await _roster_page(turn, op, meeting, 0)
    turn.say_html(text, keyboard)


@staff_command("ubah")
async def menu(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """/ubah: the three changes as buttons; each runs its own command on this meeting."""
    rows = [
        [cb.button(turn.texts.label(f"roster_menu_{code}"), cb.StaffPick(code, meeting.id))]
        for code in ("pindah", "tambah", "keluarkan")
    ]
    turn.say("roster_menu", InlineKeyboardMarkup(rows), meeting=meeting_title(meeting))


@staff_command("pindah", starts_step=True)
async def pick_to_move(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """The roster, to pick whom to move."""
    await _show_roster(turn, MOVE, meeting)


@staff_command("keluarkan", starts_step=True)
async def pick_to_remove(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """The roster, to pick whom to remove."""
    await _show_roster(turn, REMOVE, meeting)


@staff_command("tambah", starts_step=True)
async def ask_details(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """Ask for the new participant's details, one per line."""
    turn.conversation.clear_draft()
    turn.conversation.step = ADD_DETAILS
    turn.conversation.meeting_id = meeting.id
    turn.say("roster_add_ask", meeting=meeting_title(meeting))


async def _managed_registration(turn: Turn, registration_id: int) -> tuple[Registration, Meeting] | None:
    """The live registration and its meeting if the person may manage it; else the refusal is said.

    Who is asking is checked before the id is looked up, and every id the presser may not act on
    (another province's, one that never existed) gets the same answer: a button cannot count registrations.
    """
    who = await authority(turn)
    if not who.is_staff:
        refuse(turn, who)
        return None
    registration = await turn.session.get(Registration, registration_id)
    if registration is None or not who.may_manage(registration.meeting_id):
        refuse(turn)
        return None
    meeting = await turn.session.get_one(Meeting, registration.meeting_id)
    if registration.status == RegistrationStatus.CANCELLED:
        turn.close_pressed_keyboard = True
        turn.say("roster_not_found")
        return None
    return registration, meeting


@conversation_turn
async def on_button(update: Update, turn: Turn) -> None:
    """Paging the roster, picking a participant, and picking the role to move them to."""
    action = cb.pressed(update)
    if isinstance(action, cb.RosterPage) and action.op in (MOVE, REMOVE):
        meeting = await managed_meeting(turn, await authority(turn), action.meeting_id)
        if meeting is not None:
            turn.rewrite_pressed(*await _roster_page(turn, action.op, meeting, action.page))
        return
    if isinstance(action, cb.RosterPick) and action.op in (MOVE, REMOVE):
        found = await _managed_registration(turn, action.registration_id)
        if found is None:
            return
        registration, meeting = found
        turn.close_pressed_keyboard = True
        # A roster shown before the presser began registering themselves: the reason's step would wipe that.
        if await keeps_draft(turn):
            return
        if action.op == REMOVE:
            _await_reason(turn, REMOVE, meeting, registration.id)
            turn.say(
                "roster_remove_reason",
                name=registration.full_name,
                role=registration.role.name,
                meeting=meeting_title(meeting),
            )
            return
        rows = [
            [cb.button(role_label(turn.texts, a), cb.RosterMoveTo(registration.id, a.role.id))]
            for a in await availability(turn.session, meeting.id)
            if a.role.id != registration.role_id
        ]
        turn.say(
            "roster_move_choose_role",
            InlineKeyboardMarkup(rows),
            name=registration.full_name,
            role=registration.role.name,
        )
        return
    if isinstance(action, cb.RosterMoveTo):
        found = await _managed_registration(turn, action.registration_id)
        if found is None:
            return
        registration, meeting = found
        try:
            target = await check_target(turn.session, meeting.id, action.role_id, moving_from=registration.role_id)
        except RosterError as error:
            if error.problem is not RosterProblem.ROLE_FULL:
                # Only a forged or outdated button names a role the meeting lacks, or the person's own.
                turn.answer_button("stale_button")
                return
            turn.close_pressed_keyboard = True
            _say_refusal(turn, error)
            return
        turn.close_pressed_keyboard = True
        if await keeps_draft(turn):
            return
        role = target.role
        _await_reason(turn, MOVE, meeting, registration.id)
        turn.conversation.role_id = role.id
        turn.say("roster_move_reason", name=registration.full_name, role=role.name)
        return
    turn.answer_button("stale_button")
    turn.close_pressed_keyboard = True


def _await_reason(turn: Turn, op: str, meeting: Meeting, subject_id: int | None) -> None:
    turn.conversation.clear_draft()
    _reason_step(turn, op, meeting)
    turn.conversation.meeting_id = meeting.id
    turn.conversation.subject_id = subject_id


def _reason_step(turn: Turn, op: str, meeting: Meeting) -> None:
    """Ask for the reason next; after the start, for the reason of a correction, saying what that means."""
    if meeting.has_started(turn.now):
        turn.conversation.step = CORRECTION_STEPS[op]
        turn.say("roster_correction_note", meeting=meeting_title(meeting))
    else:
        turn.conversation.step = REASON_STEPS[op]


def _is_correction(turn: Turn) -> bool:
    """Whether the reason being typed was asked for as a correction's."""
    return turn.conversation.step in CORRECTION_STEPS.values()


@text_step(ADD_DETAILS)
async def on_details(turn: Turn, text: str) -> None:
    """Name, institution, position and phone, one per line."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 4:
        turn.say("roster_add_four_lines")
        return
    conversation = turn.conversation
    for number, (field, raw) in enumerate(zip(("full_name", "institution", "position"), lines, strict=False), 1):
        try:
            setattr(conversation, field, clean_text(raw))
        except InvalidDetail as problem:
            turn.say("roster_add_bad_line", line=number)
            turn.say(f"invalid_{problem.problem.value}", max=MAX_TEXT_LENGTH)
            return
    try:
        conversation.phone_e164 = normalise_phone(lines[3])
    except InvalidDetail as problem:
        turn.say("roster_add_bad_line", line=4)
        turn.say(f"invalid_{problem.problem.value}")
        return
    meeting = await managed_meeting(turn, await authority(turn), conversation.meeting_id or 0)
    if meeting is None:
        conversation.clear_draft()
        return
    conversation.step = ADD_ROLE
    rows = [
        [cb.button(role_label(turn.texts, a), cb.RosterAddRole(meeting.id, a.role.id))]
        for a in await availability(turn.session, meeting.id)
    ]
    turn.say(
        "roster_add_choose_role",
        InlineKeyboardMarkup(rows),
        name=conversation.full_name,
        institution=conversation.institution,
        position=conversation.position,
        phone=phone_as_written(conversation.phone_e164),
    )


@text_step(ADD_ROLE)
async def on_text_at_role(turn: Turn, text: str) -> None:
    """Text where a role button is expected."""
    turn.say("use_buttons")


@conversation_turn
async def on_add_role(update: Update, turn: Turn) -> None:
    """The new participant's role; the reason is asked next."""
    action = cb.pressed(update)
    assert isinstance(action, cb.RosterAddRole)
    conversation = turn.conversation
    meeting = await managed_meeting(turn, await authority(turn), action.meeting_id)
    if meeting is None:
        return
    turn.close_pressed_keyboard = True
    if conversation.step != ADD_ROLE or conversation.meeting_id != meeting.id:
        turn.answer_button("stale_button")
        return
    try:
        role = (await check_target(turn.session, meeting.id, action.role_id)).role
    except RosterError:
        turn.answer_button("stale_button")
        return
    _reason_step(turn, "add", meeting)
    conversation.role_id = role.id
    turn.say("roster_add_reason", name=conversation.full_name, role=role.name)


async def _reason(turn: Turn, text: str) -> tuple[str, Meeting] | None:
    """The typed reason and the meeting, re-authorised; None when refused (and said)."""
    try:
        reason = clean_text(text, max_length=MAX_REASON_LENGTH)
    except InvalidDetail as problem:
        turn.say(f"invalid_{problem.problem.value}", max=MAX_REASON_LENGTH)
        return None
    meeting = await managed_meeting(turn, await authority(turn), turn.conversation.meeting_id or 0)
    if meeting is None:
        turn.conversation.clear_draft()
        return None
    return reason, meeting


def _refused(turn: Turn, error: RosterError) -> None:
    """A change refused once its reason was typed: the staff step ends."""
    turn.conversation.clear_draft()
    _say_refusal(turn, error)


def _say_refusal(turn: Turn, error: RosterError) -> None:
    if error.role is not None:
        role = error.role
        turn.say("roster_role_full", role=role.role.name, seats=role.seats, taken=role.taken, waiting=role.waitlisted)
    else:
        turn.say(f"roster_{error.problem.value}")


def _seat_passed(turn: Turn, freed_seat: FreedSeat) -> None:
    if freed_seat.promoted is not None:
        turn.say("roster_seat_given", name=freed_seat.promoted.full_name)
    elif freed_seat.offered is not None:
        turn.say("roster_seat_offered", name=freed_seat.offered.full_name)


@text_step(REASON_STEPS[MOVE], CORRECTION_STEPS[MOVE])
async def on_move_reason(turn: Turn, text: str) -> None:
    """The reason for a move: typing it makes the move."""
    found = await _reason(turn, text)
    if found is None:
        return
    reason, meeting = found
    conversation = turn.conversation
    try:
        vacated = await move(
            turn.session,
            meeting_id=meeting.id,
            registration_id=conversation.subject_id or 0,
            role_id=conversation.role_id or 0,
            actor_user_id=turn.user_id,
            reason=reason,
            now=turn.now,
            correction=_is_correction(turn),
        )
    except RosterError as error:
        _refused(turn, error)
        return
    conversation.clear_draft()
    moved = vacated.registration
    turn.say("roster_moved", name=moved.full_name, role=moved.role.name, meeting=meeting_title(meeting))
    _seat_passed(turn, vacated)


@text_step(REASON_STEPS[REMOVE], CORRECTION_STEPS[REMOVE])
async def on_remove_reason(turn: Turn, text: str) -> None:
    """The reason for a removal: typing it removes the participant."""
    found = await _reason(turn, text)
    if found is None:
        return
    reason, meeting = found
    try:
        cancellation = await remove(
            turn.session,
            meeting_id=meeting.id,
            registration_id=turn.conversation.subject_id or 0,
            actor_user_id=turn.user_id,
            reason=reason,
            now=turn.now,
            correction=_is_correction(turn),
        )
    except RosterError as error:
        _refused(turn, error)
        return
    turn.conversation.clear_draft()
    removed = cancellation.registration
    turn.say("roster_removed", name=removed.full_name, role=removed.role.name, meeting=meeting_title(meeting))
    _seat_passed(turn, cancellation)


@text_step(REASON_STEPS["add"], CORRECTION_STEPS["add"])
async def on_add_reason(turn: Turn, text: str) -> None:
    """The reason for an addition: typing it adds the participant."""
    found = await _reason(turn, text)
    if found is None:
        return
    reason, meeting = found
    c = turn.conversation
    if c.full_name is None or c.institution is None or c.position is None or c.phone_e164 is None or c.role_id is None:
        _refused(turn, RosterError(RosterProblem.NOT_FOUND))
        return
    try:
        registration = await add(
            turn.session,
            meeting=meeting,
            role_id=c.role_id,
            full_name=c.full_name,
            institution=c.institution,
            position=c.position,
            phone_e164=c.phone_e164,
            actor_user_id=turn.user_id,
            reason=reason,
            now=turn.now,
            correction=_is_correction(turn),
        )
    except RosterError as error:
        _refused(turn, error)
        return
    c.clear_draft()
    seated = registration.status == RegistrationStatus.SEATED
    turn.say(
        "roster_added_seated" if seated else "roster_added_waiting",
        name=registration.full_name,
        role=registration.role.name,
        meeting=meeting_title(meeting),
    )


@conversation_turn
async def on_attendance(update: Update, turn: Turn) -> None:
    """Hadir / Tidak hadir recorded by a PIC for someone added by hand; Tidak hadir is confirmed first."""
    action = cb.pressed(update)
    found = await _managed_registration(turn, getattr(action, "registration_id", 0))
    if found is None:
        return
    registration, meeting = found
    name = registration.participant.full_name
    if not answered_by_staff(registration):
        # Someone with Telegram answers for themselves; a seat no longer held has nothing to record.
        await stale(turn)
        return
    if meeting.has_started(turn.now):
        turn.close_pressed_keyboard = True
        turn.say("staff_attendance_too_late", meeting=meeting_title(meeting))
        return
    if isinstance(action, cb.RecordAttendance) and not action.attend:
        # One tap must not give a seat away.
        turn.say(
            "staff_absence_confirm",
            InlineKeyboardMarkup(
                [
                    [
                        cb.button(turn.texts.label("confirm_staff_absent"), cb.ConfirmRecordedAbsence(registration.id)),
                        cb.button(turn.texts.label("back"), cb.KeepRecordedSeat(registration.id)),
                    ]
                ]
            ),
            name=name,
            meeting=meeting_title(meeting),
        )
        return
    # A "Hadir" leaves the roster page's buttons for the next person on it; a confirmation is done with.
    turn.close_pressed_keyboard = isinstance(action, cb.ConfirmRecordedAbsence | cb.KeepRecordedSeat)
    if isinstance(action, cb.KeepRecordedSeat):
        turn.say("staff_attendance_kept")
        return
    answer = await record_attendance_for(
        turn.session,
        registration.id,
        meeting_id=meeting.id,
        will_attend=isinstance(action, cb.RecordAttendance),
        actor_user_id=turn.user_id,
        now=turn.now,
    )
    if answer.outcome == Outcome.TOO_LATE:
        turn.say("staff_attendance_too_late", meeting=meeting_title(meeting))
    elif answer.outcome == Outcome.NOT_APPLICABLE:
        await stale(turn)
    elif answer.outcome == Outcome.RECORDED:
        turn.say("staff_attendance_recorded", name=name, meeting=meeting_title(meeting))
    else:
        turn.say("staff_absence_recorded", name=name, meeting=meeting_title(meeting))
        if answer.freed_seat is not None:
            _seat_passed(turn, answer.freed_seat)


def register_handlers(application: Application) -> None:
    """Add /ubah, /pindah, /tambah, /keluarkan and their buttons."""
    for code in ("ubah", "pindah", "tambah", "keluarkan"):
        application.add_handler(CommandHandler(code, command_handler(code), filters=filters.ChatType.PRIVATE))
    application.add_handler(
        CallbackQueryHandler(on_button, pattern=cb.matches(cb.RosterPage, cb.RosterPick, cb.RosterMoveTo))
    )
    application.add_handler(CallbackQueryHandler(on_add_role, pattern=cb.matches(cb.RosterAddRole)))
    application.add_handler(
        CallbackQueryHandler(
            on_attendance, pattern=cb.matches(cb.RecordAttendance, cb.ConfirmRecordedAbsence, cb.KeepRecordedSeat)
        )
    )
