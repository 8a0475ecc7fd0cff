"""The registration conversation: consent, meeting, role, details, summary, seat.

Each step is stored in the person's `Conversation` row with the update that completed it, so the
conversation survives restarts. Buttons carry the step they belong to; a button from an older
message, or forged data, is answered as stale (`handlers.shell`) and the current step is asked again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeVar

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler

from handlers import callback_data as cb
from handlers.checkin_code import code_photos
from handlers.common import Keyboard, Turn, conversation_turn
from handlers.formatting import meeting_short_date, meeting_title, meeting_when, registration_details
from handlers.planned_messages import seat_calendar, with_online_link
from handlers.shell import plain_start, resume, stale
from handlers.steps import button_steps, contact_step, text_step
from handlers.texts import Html
from handlers.views import (
    describe_all,
    describe_finished,
    describe_registration,
    details_block,
    page_count,
    page_nav,
    role_label,
)
from models.history import Finished, coming_registrations, ending_of, finished_registrations
from models.participant import get_participant, has_current_consent, record_consent, upsert_participant
from models.person_details import (
    DETAIL_FIELDS,
    MAX_TEXT_LENGTH,
    InvalidDetail,
    clean_text,
    normalise_phone,
    phone_as_written,
)
from models.program import Meeting, Role, meeting_by_code, open_meetings, program_name_for, quota_for
from models.registration import (
    RegistrationStatus,
    availability,
    registration_at,
    registrations_of,
    waitlist_position,
)
from models.seats import AlreadyRegistered, RegistrationClosed, register

A = TypeVar("A", bound=cb.Action)

MEETINGS_PER_PAGE = 8


class Step(enum.StrEnum):
    """The steps of a registration, in the order they are asked (values are stored: keep them)."""

    CONSENT = "consent"
    MEETING = "meeting"
    ROLE = "role"
    # Someone who registered before is offered the details they gave last, in one tap.
    REUSE = "reuse"
    NAME = "name"
    INSTITUTION = "institution"
    POSITION = "position"
    PHONE = "phone"
    CONFIRM = "confirm"


ORDER = list(Step)
# The draft field each step fills, in the order of the summary.
FIELDS = {
    Step.MEETING: "meeting_id",
    Step.ROLE: "role_id",
    Step.NAME: "full_name",
    Step.INSTITUTION: "institution",
    Step.POSITION: "position",
    Step.PHONE: "phone_e164",
}
TYPED_STEPS = (Step.NAME, Step.INSTITUTION, Step.POSITION)
EDITABLE = tuple(FIELDS)


def current_step(turn: Turn) -> Step | None:
    """The registration step the person is at, or None outside a registration."""
    step = turn.conversation.step
    return Step(step) if step is not None and step in Step._value2member_map_ else None


def _go(turn: Turn, step: Step | None) -> None:
    turn.conversation.step = step.value if step else None


def _advance(turn: Turn, done: Step) -> None:
    """Move past a completed step; after a correction, straight back to the summary."""
    _go(turn, Step.CONFIRM if turn.conversation.reviewing else ORDER[ORDER.index(done) + 1])


# Asking each step.


async def prompt(turn: Turn) -> None:
    """Ask the person for the current step."""
    step = current_step(turn)
    if step is None:
        return
    if step is Step.CONSENT:
        await _prompt_consent(turn)
    elif step is Step.MEETING:
        await _prompt_meetings(turn)
    elif step is Step.ROLE:
        await _prompt_roles(turn)
    elif step is Step.REUSE:
        await _prompt_reuse(turn)
    elif step in TYPED_STEPS:
        current = getattr(turn.conversation, FIELDS[step])
        _say_with_current(turn, f"ask_{step.value}", current)
    elif step is Step.PHONE:
        phone = turn.conversation.phone_e164
        _say_with_current(turn, "ask_phone", phone_as_written(phone) if phone else None, phone_keyboard(turn))
    elif step is Step.CONFIRM:
        await _prompt_summary(turn)


def _say_with_current(turn: Turn, key: str, current: str | None, keyboard: Keyboard | None = None) -> None:
    text = turn.texts(key)
    if turn.conversation.reviewing and current:
        text = Html(f"{text}\n{turn.texts('current_value', value=current)}")
    turn.say_html(text, keyboard)


async def _prompt_consent(turn: Turn) -> None:
    program_name = await program_name_for(turn.session, turn.conversation.meeting_id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                cb.button(turn.texts.label("agree"), cb.Consent(True)),
                cb.button(turn.texts.label("disagree"), cb.Consent(False)),
            ]
        ]
    )
    turn.say(
        "consent",
        keyboard,
        program=program_name or turn.texts("program_unnamed"),
        retention_days=turn.settings.retention_days,
    )


async def _meetings_page(turn: Turn, page: int) -> tuple[Html, InlineKeyboardMarkup | None]:
    meetings = await open_meetings(turn.session, turn.now)
    if not meetings:
        return turn.texts("no_open_meetings"), None
    pages = page_count(len(meetings), MEETINGS_PER_PAGE)
    page, paging = page_nav(turn.texts, page, pages, cb.MeetingPage)
    held = {r.meeting_id for r in await registrations_of(turn.session, turn.user_id)}
    rows = []
    for meeting in meetings[page * MEETINGS_PER_PAGE : (page + 1) * MEETINGS_PER_PAGE]:
        label_key = "meeting_wave" if meeting.wave else "meeting"
        label = turn.texts.label(
            label_key, province=meeting_title(meeting), date=meeting_short_date(meeting, turn.texts), wave=meeting.wave
        )
        if meeting.id in held:
            label = turn.texts.label("meeting_registered", meeting=label)
        rows.append([cb.button(label, cb.ChooseMeeting(meeting.id))])
    if paging:
        rows.append(paging)
    text = turn.texts("choose_meeting", page=page + 1, pages=pages)
    if held:
        text = Html(f"{text}\n{turn.texts('meetings_registered_note')}")
    return text, InlineKeyboardMarkup(rows)


async def _prompt_meetings(turn: Turn) -> None:
    text, keyboard = await _meetings_page(turn, 0)
    if keyboard is None:
        turn.say_html(text)
        turn.conversation.clear_draft()
        return
    turn.say_html(text, keyboard)


async def _chosen_meeting(turn: Turn) -> Meeting | None:
    """The meeting in the draft if it still takes registrations; else back to the list."""
    meeting_id = turn.conversation.meeting_id
    meeting = await turn.session.get(Meeting, meeting_id) if meeting_id else None
    if meeting is not None and meeting.is_open_for_registration(turn.now):
        return meeting
    if meeting is not None:
        turn.say("meeting_closed", meeting=meeting_title(meeting))
    turn.conversation.meeting_id = None
    turn.conversation.role_id = None
    _go(turn, Step.MEETING)
    await _prompt_meetings(turn)
    return None


async def _prompt_roles(turn: Turn) -> None:
    meeting = await _chosen_meeting(turn)
    if meeting is None:
        return
    rows = [
        [cb.button(role_label(turn.texts, role), cb.ChooseRole(meeting.id, role.role.id))]
        for role in await availability(turn.session, meeting.id)
    ]
    turn.say(
        "choose_role",
        InlineKeyboardMarkup(rows),
        meeting=meeting_title(meeting),
        when=meeting_when(meeting, turn.texts),
    )


@dataclass(frozen=True)
class _Draft:
    """A draft with every field filled in, as the summary shows it and a submission saves it."""

    meeting: Meeting
    role: Role
    full_name: str
    institution: str
    position: str
    phone_e164: str


async def _prompt_reuse(turn: Turn) -> None:
    participant = await get_participant(turn.session, turn.user_id)
    if participant is None:
        _go(turn, Step.NAME)
        await prompt(turn)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [cb.button(turn.texts.label("reuse_details"), cb.ReuseDetails(True))],
            [cb.button(turn.texts.label("new_details"), cb.ReuseDetails(False))],
        ]
    )
    turn.say("reuse_offer", keyboard, details=details_block(turn.texts, participant.details))


async def _complete_draft(turn: Turn) -> _Draft | None:
    """The draft when every field is there and the meeting is open; else ask again."""
    missing = next((s for s in EDITABLE if not _has(turn, s)), None)
    if missing is not None:
        turn.say("draft_incomplete")
        _go(turn, missing)
        await prompt(turn)
        return None
    meeting = await _chosen_meeting(turn)
    if meeting is None:
        return None
    c = turn.conversation
    # Every field was checked above (`_has`); this says so to the type checker.
    assert c.role_id is not None and c.full_name is not None and c.institution is not None
    assert c.position is not None and c.phone_e164 is not None
    role = await turn.session.get_one(Role, c.role_id)
    return _Draft(meeting, role, c.full_name, c.institution, c.position, c.phone_e164)


async def _summary(turn: Turn) -> tuple[Html, InlineKeyboardMarkup] | None:
    draft = await _complete_draft(turn)
    if draft is None:
        return None
    meeting = draft.meeting
    free = next(a for a in await availability(turn.session, meeting.id) if a.role.id == draft.role.id)
    text = turn.texts(
        "summary",
        meeting=meeting_title(meeting),
        when=meeting_when(meeting, turn.texts),
        role=draft.role.name,
        name=draft.full_name,
        institution=draft.institution,
        position=draft.position,
        phone=phone_as_written(draft.phone_e164),
        seat_note=turn.texts("summary_seat_full" if free.full else "summary_seat_free"),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                cb.button(turn.texts.label("submit"), cb.Submit(meeting.id)),
                cb.button(turn.texts.label("edit"), cb.EditMenu()),
                cb.button(turn.texts.label("discard"), cb.Discard()),
            ]
        ]
    )
    return text, keyboard


async def _prompt_summary(turn: Turn) -> None:
    summary = await _summary(turn)
    if summary is not None:
        turn.say_html(*summary)


def _has(turn: Turn, step: Step) -> bool:
    return getattr(turn.conversation, FIELDS[step]) is not None


# Starting and leaving.


async def _begin(turn: Turn, meeting: Meeting | None) -> None:
    """Start a fresh draft, asking for consent first unless the person gave it already."""
    turn.conversation.clear_draft()
    turn.conversation.meeting_id = meeting.id if meeting else None
    if not await has_current_consent(turn.session, turn.user_id):
        _go(turn, Step.CONSENT)
    else:
        _go(turn, Step.ROLE if meeting else Step.MEETING)
    await prompt(turn)


async def _existing_registration(turn: Turn, meeting: Meeting) -> bool:
    """Show the person's registration for the meeting, if they hold one."""
    registration = await registration_at(turn.session, turn.user_id, meeting.id)
    if registration is None:
        return False
    turn.say("already_registered", meeting=meeting_title(meeting))
    if meeting.has_started(turn.now):
        turn.say_html(describe_finished(turn.texts, Finished(registration, ending_of(registration))))
    else:
        turn.say_html(await describe_registration(turn.session, turn.texts, registration))
    return True


@plain_start
async def start(update: Update, turn: Turn, payload: str) -> None:
    """/start [meeting-code]: begin, resume, or show what the person holds already."""
    meeting = await meeting_by_code(turn.session, payload) if payload else None
    if payload and meeting is None:
        turn.say("unknown_meeting_link")
    if meeting is not None:
        if await _existing_registration(turn, meeting):
            return
        await _begin(turn, meeting)
        return
    if current_step(turn) is not None:
        await resume(turn)
        return
    registrations = await coming_registrations(turn.session, turn.user_id, now=turn.now)
    finished = [
        f
        for f in await finished_registrations(turn.session, turn.user_id, now=turn.now)
        if f.registration.status != RegistrationStatus.CANCELLED
    ]
    if registrations or finished:
        turn.say_html(await describe_all(turn.session, turn.texts, registrations, finished))
        keyboard = InlineKeyboardMarkup([[cb.button(turn.texts.label("register_more"), cb.RegisterAnother())]])
        turn.say("start_registered", keyboard)
        return
    await _begin(turn, None)


@conversation_turn
async def register_another(update: Update, turn: Turn) -> None:
    """The "register for another meeting" button."""
    turn.close_pressed_keyboard = True
    if current_step(turn) is not None:
        await prompt(turn)
        return
    await _begin(turn, None)


# Buttons.

button_steps(Step.CONSENT, Step.MEETING, Step.ROLE, Step.REUSE, Step.CONFIRM, ask_again=prompt)


async def _pressed(update: Update, turn: Turn, step: Step, kind: type[A]) -> A | None:
    """The pressed action if it answers the current step; otherwise it is answered as stale."""
    action = cb.pressed(update)
    if current_step(turn) is not step or not isinstance(action, kind):
        await stale(turn)
        return None
    return action


@conversation_turn
async def on_consent(update: Update, turn: Turn) -> None:
    """Setuju / Tidak on the consent message."""
    action = await _pressed(update, turn, Step.CONSENT, cb.Consent)
    if action is None:
        return
    turn.close_pressed_keyboard = True
    await record_consent(turn.session, turn.user_id, given=action.agree, now=turn.now)
    if not action.agree:
        turn.conversation.clear_draft()
        turn.say("consent_refused")
        return
    turn.answer_button("consent_given")
    _go(turn, Step.ROLE if turn.conversation.meeting_id else Step.MEETING)
    await prompt(turn)


@conversation_turn
async def on_meeting_page(update: Update, turn: Turn) -> None:
    """Paging through the meeting list, in place."""
    action = await _pressed(update, turn, Step.MEETING, cb.MeetingPage)
    if action is None:
        return
    text, keyboard = await _meetings_page(turn, action.page)
    turn.rewrite_pressed(text, keyboard)


@conversation_turn
async def on_meeting(update: Update, turn: Turn) -> None:
    """A meeting chosen from the list."""
    action = await _pressed(update, turn, Step.MEETING, cb.ChooseMeeting)
    if action is None:
        return
    turn.close_pressed_keyboard = True
    meeting = await turn.session.get(Meeting, action.meeting_id)
    if meeting is None or not meeting.is_open_for_registration(turn.now):
        if meeting is not None:
            turn.say("meeting_closed", meeting=meeting_title(meeting))
        await prompt(turn)
        return
    if await _existing_registration(turn, meeting):
        await prompt(turn)
        return
    turn.conversation.meeting_id = meeting.id
    turn.conversation.role_id = None
    _go(turn, Step.ROLE)
    await prompt(turn)


@conversation_turn
async def on_role(update: Update, turn: Turn) -> None:
    """A role chosen for the meeting."""
    action = await _pressed(update, turn, Step.ROLE, cb.ChooseRole)
    if action is None:
        return
    if (
        action.meeting_id != turn.conversation.meeting_id
        or await quota_for(turn.session, action.meeting_id, action.role_id) is None
    ):
        await stale(turn)
        return
    turn.close_pressed_keyboard = True
    turn.conversation.role_id = action.role_id
    role_state = next(a for a in await availability(turn.session, action.meeting_id) if a.role.id == action.role_id)
    # The role's name, without the seats left its button showed.
    turn.choice = role_state.role.name
    if role_state.full:
        turn.say("role_full_notice", role=role_state.role.name)
    _advance(turn, Step.ROLE)
    await prompt(turn)


@conversation_turn
async def on_reuse(update: Update, turn: Turn) -> None:
    """Pakai data ini / Isi data baru: the details given last, or typing new ones."""
    action = await _pressed(update, turn, Step.REUSE, cb.ReuseDetails)
    if action is None:
        return
    turn.close_pressed_keyboard = True
    participant = await get_participant(turn.session, turn.user_id)
    if not action.use or participant is None:
        _go(turn, Step.NAME)
        await prompt(turn)
        return
    for field in DETAIL_FIELDS:
        setattr(turn.conversation, field, getattr(participant.details, field))
    # Any of them can still be changed from the summary (Ubah).
    _go(turn, Step.CONFIRM)
    await prompt(turn)


@conversation_turn
async def on_summary(update: Update, turn: Turn) -> None:
    """Kirim / Ubah / Batal on the summary, the field menu and its back button."""
    action = cb.pressed(update)
    step = current_step(turn)
    if (
        isinstance(action, cb.Submit)
        and step is None
        and await registration_at(turn.session, turn.user_id, action.meeting_id) is not None
    ):
        # A double tap on Kirim: the first tap registered and already closed this keyboard.
        turn.answer_button("already_submitted")
        return
    if step is not Step.CONFIRM:
        await stale(turn)
        return
    if isinstance(action, cb.Submit):
        turn.close_pressed_keyboard = True
        await _submit(turn)
    elif isinstance(action, cb.Discard):
        turn.close_pressed_keyboard = True
        turn.conversation.clear_draft()
        turn.say("draft_discarded")
    elif isinstance(action, cb.EditMenu):
        labels = [(turn.texts.label(f"field_{s.value}"), cb.EditField(s.value)) for s in EDITABLE]
        rows = [[cb.button(*labels[i]), cb.button(*labels[i + 1])] for i in range(0, len(labels), 2)]
        rows.append([cb.button(turn.texts.label("back"), cb.BackToSummary())])
        turn.rewrite_pressed(turn.texts("choose_field"), InlineKeyboardMarkup(rows))
    elif isinstance(action, cb.BackToSummary):
        summary = await _summary(turn)
        if summary is not None:
            turn.rewrite_pressed(*summary)
    elif isinstance(action, cb.EditField) and action.step in {s.value for s in EDITABLE}:
        turn.close_pressed_keyboard = True
        turn.conversation.reviewing = True
        _go(turn, Step(action.step))
        await prompt(turn)
    else:
        await stale(turn)


async def _submit(turn: Turn) -> None:
    draft = await _complete_draft(turn)
    if draft is None:
        return
    meeting, role = draft.meeting, draft.role
    conversation = turn.conversation
    participant = await upsert_participant(
        turn.session,
        telegram_user_id=turn.user_id,
        chat_id=turn.chat_id,
        full_name=draft.full_name,
        institution=draft.institution,
        position=draft.position,
        phone_e164=draft.phone_e164,
        now=turn.now,
    )
    try:
        registration = await register(turn.session, participant=participant, meeting=meeting, role=role, now=turn.now)
    except RegistrationClosed:
        turn.say("registration_closed", meeting=meeting_title(meeting))
        conversation.meeting_id = conversation.role_id = None
        _go(turn, Step.MEETING)
        await prompt(turn)
        return
    except AlreadyRegistered:
        conversation.clear_draft()
        await _existing_registration(turn, meeting)
        return
    conversation.clear_draft()
    details = registration_details(meeting, role.name, turn.texts)
    if registration.status == RegistrationStatus.SEATED:
        documents = await seat_calendar(turn.session, registration, turn.texts, turn.now)
        documents += await code_photos(turn.session, registration, turn.texts, turn.bot_username, turn.now)
        text = with_online_link(turn.texts("registered_seated", **details), meeting, turn.texts)
        turn.say_html(text, documents=documents)
    else:
        turn.say("registered_waitlisted", position=await waitlist_position(turn.session, registration), **details)


# Typed answers.


@text_step(*TYPED_STEPS, Step.PHONE, ask_again=prompt)
async def on_text(turn: Turn, text: str) -> None:
    """Text typed at a typed step of a registration: a detail, or the phone number."""
    step = current_step(turn)
    if step is Step.PHONE:
        await _take_phone(turn, text)
        return
    assert step in TYPED_STEPS  # the steps claimed above
    value = checked_text(turn, text)
    if value is None:
        await prompt(turn)
        return
    setattr(turn.conversation, FIELDS[step], value)
    _advance(turn, step)
    await prompt(turn)


def checked_text(turn: Turn, raw: str) -> str | None:
    """A typed name, institution or position as the rules keep it; None (and why, said) if refused."""
    try:
        return clean_text(raw)
    except InvalidDetail as problem:
        turn.say(f"invalid_{problem.problem.value}", max=MAX_TEXT_LENGTH)
        return None


def checked_phone(turn: Turn, raw: str) -> str | None:
    """A typed or shared phone number in E.164; None (and why, said) if refused."""
    try:
        return normalise_phone(raw)
    except InvalidDetail as problem:
        turn.say(f"invalid_{problem.problem.value}")
        return None


def phone_keyboard(turn: Turn) -> ReplyKeyboardMarkup:
    """The reply keyboard with Telegram's "share my number" button."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(turn.texts.label("share_phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


@contact_step(Step.PHONE)
async def _take_phone(turn: Turn, raw: str) -> None:
    phone = checked_phone(turn, raw)
    if phone is None:
        await prompt(turn)
        return
    turn.conversation.phone_e164 = phone
    turn.say("phone_saved", ReplyKeyboardRemove(), phone=phone_as_written(phone))
    _advance(turn, Step.PHONE)
    await prompt(turn)


def register_handlers(application: Application) -> None:
    """Add the registration conversation's handlers."""
    application.add_handler(CallbackQueryHandler(on_consent, pattern=cb.matches(cb.Consent)))
    application.add_handler(CallbackQueryHandler(on_meeting_page, pattern=cb.matches(cb.MeetingPage)))
    application.add_handler(CallbackQueryHandler(on_meeting, pattern=cb.matches(cb.ChooseMeeting)))
    application.add_handler(CallbackQueryHandler(on_role, pattern=cb.matches(cb.ChooseRole)))
    application.add_handler(CallbackQueryHandler(on_reuse, pattern=cb.matches(cb.ReuseDetails)))
    application.add_handler(CallbackQueryHandler(register_another, pattern=cb.matches(cb.RegisterAnother)))
    application.add_handler(
        CallbackQueryHandler(
            on_summary, pattern=cb.matches(cb.Submit, cb.EditMenu, cb.Discard, cb.EditField, cb.BackToSummary)
        )
    )
