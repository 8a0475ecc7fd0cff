"""/pic: organizers invite, list and revoke the PICs of a meeting; an invite link makes its opener PIC.

Every button carries ids only and is authorised again when pressed: only an organizer
(`ADMIN_IDS`) may create invites, make or revoke PICs, whatever meeting the button names.
PICs and organizers get the staff commands in their chat's command menu; a revoked PIC loses them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers import callback_data as cb
from handlers.common import Reply, Turn, conversation_turn, on_first_contact, sender, set_chat_menu
from handlers.formatting import local_date, local_moment, meeting_title
from handlers.shell import deep_link, start_link
from handlers.staff import authority, command_handler, command_lines, managed_meeting, refuse, staff_command
from handlers.texts import Html, Texts
from models.conversation import languages_of
from models.program import Meeting
from models.staff import (
    INVITE_PREFIX,
    Authority,
    InviteRefused,
    NotFacilitator,
    PicAssignment,
    assignment_in_force,
    authority_of,
    create_invite,
    facilitator_role,
    facilitators_not_pic,
    grant_from_registration,
    open_invites,
    pics_of,
    redeem_invite,
    revoke_invite,
    revoke_pic,
    unused_invite,
)

# Names in button labels are cut so a row stays readable.
LABEL_NAME_LENGTH = 40


def staff_menu(texts: Texts, who: Authority) -> list[tuple[str, str]] | None:
    """The command menu of a PIC or organizer: everyone's commands and theirs; None for others."""
    if not who.is_staff:
        return None
    return texts.commands() + texts.staff_commands(admin=who.is_admin)


async def set_admin_menus(bot: Bot, sessions: async_sessionmaker[AsyncSession], admin_ids: frozenset[int]) -> None:
    """Give each organizer's private chat (its id is theirs) the staff commands, in their language."""
    if not admin_ids:
        return
    async with sessions() as session:
        languages = await languages_of(session, list(admin_ids))
    for admin_id in sorted(admin_ids):
        organizer = Authority(admin_id, is_admin=True, pic_meeting_ids=frozenset())
        await set_chat_menu(bot, admin_id, staff_menu(Texts(languages.get(admin_id)), organizer))


@on_first_contact
async def _organizer_menu_in_their_language(turn: Turn) -> None:
    """Set an organizer's menu again once their language is known: at start it was set before they wrote."""
    who = await authority(turn)
    if who.is_admin and turn.chat_id == turn.user_id:
        turn.menus.setdefault(turn.chat_id, staff_menu(turn.texts, who))


async def _texts_of(turn: Turn, telegram_user_id: int) -> Texts:
    languages = await languages_of(turn.session, [telegram_user_id])
    return Texts(languages.get(telegram_user_id))


def _welcome(texts: Texts, meeting: Meeting) -> Html:
    return texts(
        "pic_welcome", meeting=meeting_title(meeting), commands=command_lines(texts.staff_commands(admin=False))
    )


async def _tell_pic(turn: Turn, assignment: PicAssignment, meeting: Meeting, *, granted: bool) -> None:
    """Tell a PIC they were made or are no longer PIC, and fit their chat's menu to what they now are."""
    texts = await _texts_of(turn, assignment.telegram_user_id)
    text = _welcome(texts, meeting) if granted else texts("pic_revoked_notice", meeting=meeting_title(meeting))
    turn.replies.append(Reply(assignment.chat_id, text))
    who = await authority_of(turn.session, assignment.telegram_user_id, turn.settings.admin_ids)
    turn.menus[assignment.chat_id] = staff_menu(texts, who)


# Invite links.


async def _tell_inviter(turn: Turn, assignment: PicAssignment, meeting: Meeting) -> None:
    """Tell the organizer who made the invite that it was used, and by whom."""
    organizer = assignment.granted_by
    if organizer == turn.user_id:
        return
    texts = await _texts_of(turn, organizer)
    # Organizers talk to the bot in private chats, whose id is the user's.
    turn.replies.append(
        Reply(organizer, texts("pic_invite_used_notice", name=_name(texts, assignment), meeting=meeting_title(meeting)))
    )


@deep_link(INVITE_PREFIX)
async def open_invite(update: Update, turn: Turn, token: str) -> None:
    """/start with an invite token: the opener becomes PIC of the invite's meeting."""
    try:
        grant = await redeem_invite(
            turn.session,
            token,
            telegram_user_id=turn.user_id,
            chat_id=turn.chat_id,
            display_name=sender(update).full_name,
            now=turn.now,
        )
    except InviteRefused as refused:
        turn.say(f"pic_invite_{refused.problem.value}")
        return
    meeting = await turn.session.get_one(Meeting, grant.assignment.meeting_id)
    if grant.already:
        turn.say("pic_already", meeting=meeting_title(meeting))
    else:
        turn.say_html(_welcome(turn.texts, meeting))
        await _tell_inviter(turn, grant.assignment, meeting)
    turn.menus[turn.chat_id] = staff_menu(turn.texts, await authority(turn))


# The organizers' panel.


@staff_command("pic")
async def show_panel(turn: Turn, meeting: Meeting, who: Authority) -> None:
    """The meeting's PICs, open invites and Fasilitator registrants, with what an organizer may do."""
    # PICs reach the meeting chooser too; managing PICs is the organizers' alone.
    if not who.is_admin:
        refuse(turn, who)
        return
    turn.say_html(*await _panel(turn, meeting))


def _short(name: str) -> str:
    return name if len(name) <= LABEL_NAME_LENGTH else name[: LABEL_NAME_LENGTH - 1] + "…"


def _name(texts: Texts, assignment: PicAssignment) -> str:
    """How a PIC is named; one whose personal data was erased or expired has no name left."""
    return assignment.display_name or texts.plain("pic_name_erased")


async def _panel(turn: Turn, meeting: Meeting) -> tuple[Html, InlineKeyboardMarkup]:
    texts = turn.texts
    pics = await pics_of(turn.session, meeting.id)
    invites = await open_invites(turn.session, meeting.id, turn.now)
    candidates = await facilitators_not_pic(turn.session, meeting.id)
    # Named as the program file names the role, never by a fixed word.
    role = await facilitator_role(turn.session, meeting)
    role_name = role.name if role else texts.plain("pic_facilitator_fallback")
    parts: list[str] = [texts("pic_panel_title", meeting=meeting_title(meeting))]
    if pics:
        parts.append(
            "\n".join(
                [texts("pic_panel_pics")]
                + [
                    texts(
                        "pic_panel_pic",
                        name=_name(texts, p),
                        via=texts(f"pic_via_{p.granted_via}", role=role_name),
                        since=local_date(p.granted_at.astimezone(meeting.zone), texts),
                    )
                    for p in pics
                ]
            )
        )
    else:
        parts.append(texts("pic_panel_no_pics"))
    if invites:
        parts.append(
            "\n".join(
                [texts("pic_panel_invites")]
                + [
                    texts("pic_panel_invite", number=n, until=local_moment(i.expires_at, meeting, texts))
                    if i.expires_at
                    else texts("pic_panel_invite_lasting", number=n)
                    for n, i in enumerate(invites, 1)
                ]
            )
        )
    if candidates:
        parts.append(
            "\n".join(
                [texts("pic_panel_candidates", role=role_name)]
                + [texts("pic_panel_candidate", name=r.full_name) for r in candidates]
            )
        )
    parts.append(texts("pic_panel_hint", role=role_name))
    rows = [[cb.button(texts.label("pic_revoke", name=_short(_name(texts, p))), cb.PicRevoke(p.id))] for p in pics]
    rows += [
        [cb.button(texts.label("pic_make", name=_short(r.full_name)), cb.PicFromRegistration(r.id))] for r in candidates
    ]
    rows += [
        [cb.button(texts.label("pic_invite_withdraw", number=n), cb.PicWithdrawInvite(i.id))]
        for n, i in enumerate(invites, 1)
    ]
    rows.append([cb.button(texts.label("pic_invite"), cb.PicInvite(meeting.id))])
    return Html("\n\n".join(parts)), InlineKeyboardMarkup(rows)


def _ask_to_confirm(turn: Turn, question: Html, confirmed: cb.Action, yes: str, meeting: Meeting) -> None:
    """Put a question in place of the panel: `yes` does it, « Kembali shows the panel again."""
    keyboard = InlineKeyboardMarkup(
        [[cb.button(turn.texts.label(yes), confirmed), cb.button(turn.texts.label("back"), cb.PicPanel(meeting.id))]]
    )
    turn.rewrite_pressed(question, keyboard)


@conversation_turn
async def on_panel_button(update: Update, turn: Turn) -> None:
    """A button of the panel, authorised again: only organizers manage PICs."""
    action = cb.pressed(update)
    who = await authority(turn)
    if not who.is_admin:
        refuse(turn, who)
        return
    if isinstance(action, cb.PicInvite):
        meeting = await managed_meeting(turn, who, action.meeting_id)
        if meeting is None:
            return
        invite = await create_invite(turn.session, meeting_id=meeting.id, created_by=turn.user_id, now=turn.now)
        link = start_link(update.get_bot().username, invite.token)
        assert invite.expires_at is not None, "made with the default lifetime"
        turn.say(
            "pic_invite_link",
            meeting=meeting_title(meeting),
            link=link,
            until=local_moment(invite.expires_at, meeting, turn.texts),
        )
    elif isinstance(action, cb.PicPanel):
        meeting = await managed_meeting(turn, who, action.meeting_id)
        if meeting is None:
            return
    elif isinstance(action, cb.PicWithdrawInvite):
        # Destructive: the panel asks first, in place.
        pending = await unused_invite(turn.session, action.invite_id)
        if pending is None:
            turn.answer_button("pic_invite_withdraw_stale")
            return
        meeting = await turn.session.get_one(Meeting, pending.meeting_id)
        _ask_to_confirm(
            turn,
            turn.texts("pic_invite_withdraw_confirm", meeting=meeting_title(meeting)),
            cb.PicWithdrawInviteConfirmed(pending.id),
            "pic_invite_withdraw_yes",
            meeting,
        )
        return
    elif isinstance(action, cb.PicWithdrawInviteConfirmed):
        withdrawn = await revoke_invite(turn.session, action.invite_id, revoked_by=turn.user_id, now=turn.now)
        if withdrawn is None:
            turn.answer_button("pic_invite_withdraw_stale")
            return
        turn.answer_button("pic_invite_withdrawn")
        meeting = await turn.session.get_one(Meeting, withdrawn.meeting_id)
    elif isinstance(action, cb.PicRevoke):
        assignment = await assignment_in_force(turn.session, action.assignment_id)
        if assignment is None:
            turn.answer_button("pic_revoke_stale")
            return
        meeting = await turn.session.get_one(Meeting, assignment.meeting_id)
        _ask_to_confirm(
            turn,
            turn.texts("pic_revoke_confirm", name=_name(turn.texts, assignment), meeting=meeting_title(meeting)),
            cb.PicRevokeConfirmed(assignment.id),
            "pic_revoke_yes",
            meeting,
        )
        return
    elif isinstance(action, cb.PicRevokeConfirmed):
        assignment = await revoke_pic(turn.session, action.assignment_id, revoked_by=turn.user_id, now=turn.now)
        if assignment is None:
            turn.answer_button("pic_revoke_stale")
            return
        meeting = await turn.session.get_one(Meeting, assignment.meeting_id)
        turn.say("pic_revoked_done", name=_name(turn.texts, assignment), meeting=meeting_title(meeting))
        await _tell_pic(turn, assignment, meeting, granted=False)
    else:
        assert isinstance(action, cb.PicFromRegistration)  # the handler's pattern admits no other
        try:
            grant = await grant_from_registration(
                turn.session, action.registration_id, granted_by=turn.user_id, now=turn.now
            )
        except NotFacilitator:
            turn.answer_button("pic_grant_not_eligible")
            return
        meeting = await turn.session.get_one(Meeting, grant.assignment.meeting_id)
        if grant.already:
            turn.say("pic_grant_already", name=_name(turn.texts, grant.assignment), meeting=meeting_title(meeting))
            return
        turn.say("pic_granted_done", name=_name(turn.texts, grant.assignment), meeting=meeting_title(meeting))
        await _tell_pic(turn, grant.assignment, meeting, granted=True)
    # The panel, rewritten in place, shows the change.
    turn.rewrite_pressed(*await _panel(turn, meeting))


def register_handlers(application: Application) -> None:
    """Add /pic and the panel's buttons."""
    application.add_handler(CommandHandler("pic", command_handler("pic"), filters=filters.ChatType.PRIVATE))
    application.add_handler(
        CallbackQueryHandler(
            on_panel_button,
            pattern=cb.matches(
                cb.PicInvite,
                cb.PicWithdrawInvite,
                cb.PicWithdrawInviteConfirmed,
                cb.PicRevoke,
                cb.PicRevokeConfirmed,
                cb.PicPanel,
                cb.PicFromRegistration,
            ),
        )
    )
