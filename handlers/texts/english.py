"""English: the second language, for those who choose it with /bahasa."""

TEXTS: dict[str, str] = {
    "consent": (
        "Welcome to <b>registration for {program}</b>.\n\n"
        "Before you register, please read how we use your data:\n"
        "• <b>Purpose:</b> registering you as a participant, keeping the seat quota of each "
        "role, sending reminders and contacting you about this meeting.\n"
        "• <b>Data kept:</b> your name, institution, position, phone number, the role and "
        "meeting you choose, and your Telegram ID.\n"
        "• <b>Who sees it:</b> the National Library organizers and the provincial PICs of "
        "your meeting.\n"
        "• <b>How long:</b> at most {retention_days} days after the meeting ends; then it is deleted.\n"
        "• <b>Your rights</b> (Law No. 27 of 2022): see your data (/datasaya), correct it "
        "(register again with /start), withdraw consent and delete your data (/hapusdata).\n\n"
        "Do you agree to your data being used for this purpose?"
    ),
    "consent_refused": (
        "All right, none of your data is kept. Registration needs this consent; if you "
        "change your mind, type /start."
    ),
    "consent_given": "Thank you, your consent is recorded.",
    "choose_meeting": "Choose the meeting you will attend (page {page}/{pages}):",
    "no_open_meetings": "No meeting is open for registration at the moment.",
    "meeting_closed": "Registration for <b>{meeting}</b> is closed. Please choose another meeting.",
    "unknown_meeting_link": "That meeting link is not known. Please choose from the list.",
    "choose_role": "<b>{meeting}</b>\n{when}\n\nChoose your role (seats left are shown):",
    "role_full_notice": (
        "The role <b>{role}</b> is full. If you go on, you join the waiting list and get a "
        "seat when someone cancels."
    ),
    "ask_name": "Type your <b>full name</b> (with titles, if any):",
    "ask_institution": "Type the name of your <b>institution</b>:",
    "ask_position": "Type your <b>position</b>:",
    "ask_phone": (
        "Send your <b>mobile number</b>: press «Share my number» below, or type it "
        "(e.g. 0812-3456-7890)."
    ),
    "current_value": "Now: <i>{value}</i>",
    "phone_saved": "Number saved: {phone}",
    "invalid_empty": "The answer cannot be empty.",
    "invalid_too_short": "The answer is too short.",
    "invalid_too_long": "The answer is too long (at most {max} characters).",
    "invalid_no_letters": "The answer must contain letters.",
    "invalid_invalid_phone": "That phone number is not valid. A valid one looks like 0812-3456-7890.",
    "invalid_not_mobile": "Please give a mobile number (starting 08 or +628), not an office line.",
    "not_text": "Please type your answer as text; stickers, photos, voice, locations or files can't be used here.",
    "use_buttons": "Please choose with the buttons on the message below.",
    "contact_not_expected": "Your phone number is not needed at this step.",
    "summary": (
        "Check your registration:\n\n"
        "<b>Meeting:</b> {meeting}\n"
        "<b>Time:</b> {when}\n"
        "<b>Role:</b> {role}\n"
        "<b>Name:</b> {name}\n"
        "<b>Institution:</b> {institution}\n"
        "<b>Position:</b> {position}\n"
        "<b>Mobile:</b> {phone}\n\n"
        "{seat_note}"
    ),
    "summary_seat_free": "A seat is free for this role. Press <b>Submit</b> to register.",
    "summary_seat_full": "This role is full: with <b>Submit</b> you join the waiting list.",
    "choose_field": "Which part do you want to change?",
    "draft_discarded": "Registration cancelled. What you typed has been deleted.",
    "registered_seated": (
        "✅ <b>You are registered.</b> Your seat is recorded.\n\n"
        "<b>Meeting:</b> {meeting}\n"
        "<b>Role:</b> {role}\n"
        "<b>Time:</b> {when}\n"
        "<b>Venue:</b> {venue}\n\n"
        "Type /status to see your registrations or /batal to cancel one."
    ),
    "registered_waitlisted": (
        "🕓 <b>You are on the waiting list</b> at number <b>{position}</b> for the role {role}.\n\n"
        "<b>Meeting:</b> {meeting}\n"
        "<b>Time:</b> {when}\n"
        "<b>Venue:</b> {venue}\n\n"
        "We will tell you as soon as a seat is free."
    ),
    "registration_closed": "Sorry, registration for <b>{meeting}</b> has just closed.",
    "already_registered": "You are already registered for <b>{meeting}</b>:",
    "already_submitted": "Your registration has already been sent.",
    "draft_incomplete": "Your registration is not complete yet; let's fill it in.",
    "status_none": "You are not registered for any meeting. Type /start to register.",
    "status_header": "Your registrations:",
    "status_seated": "✅ <b>{meeting}</b>\n   {role} · seat confirmed\n   {when}\n   {venue}",
    "status_waitlisted": "🕓 <b>{meeting}</b>\n   {role} · waiting list number {position}\n   {when}\n   {venue}",
    "start_registered": "You are already registered. To register for another meeting, press the button below.",
    "cancel_none": "You have no registration to cancel.",
    "cancel_choose": "Which registration do you want to cancel?",
    "cancel_confirm": "Cancel your registration for <b>{meeting}</b> ({role})? Your seat goes to the next person on the waiting list.",
    "cancel_done": "Your registration for <b>{meeting}</b> has been cancelled.",
    "cancel_kept": "All right, your registration stands.",
    "promoted": (
        "🎉 <b>Good news!</b> A seat came free and you are now registered for "
        "<b>{meeting}</b> ({role}).\n<b>Time:</b> {when}\n<b>Venue:</b> {venue}"
    ),
    "reminder": (
        "⏰ <b>Reminder:</b> <b>{meeting}</b> starts {lead}.\n"
        "<b>Your role:</b> {role}\n<b>Time:</b> {when}\n<b>Venue:</b> {venue}\n\n"
        "If you cannot come, type /batal so that someone else can have your seat."
    ),
    "lead_days": "in {n} days",
    "lead_hours": "in {n} hours",
    "lead_minutes": "in {n} minutes",
    "lead_day": "in 1 day",
    "lead_hour": "in 1 hour",
    "lead_minute": "in 1 minute",
    "attendance_question": (
        "📋 <b>Attendance</b>\nWill you attend <b>{meeting}</b> as {role}?\n"
        "<b>Time:</b> {when}\n<b>Venue:</b> {venue}\n\n"
        "If you cannot come, your seat is offered to the next person on the waiting list."
    ),
    "attendance_nudge": (
        "📋 We have not had your answer yet. Will you attend <b>{meeting}</b> tomorrow?\n"
        "<b>Time:</b> {when}\n<b>Venue:</b> {venue}"
    ),
    "absence_confirm": (
        "Are you sure you cannot attend <b>{meeting}</b>? Your seat will be released and offered to "
        "the next person. This cannot be undone."
    ),
    "attendance_recorded": "Thank you, your attendance at <b>{meeting}</b> is recorded. See you there!",
    "absence_recorded": "Thank you for letting us know. Your seat at <b>{meeting}</b> has been released.",
    "absence_kept": "All right, your seat is kept. Please answer the attendance question above.",
    "seat_offer": (
        "🎟️ <b>A seat for you!</b> A {role} seat at <b>{meeting}</b> came free and we offer it to "
        "you.\n<b>Time:</b> {when}\n<b>Venue:</b> {venue}\n\n"
        "We hold it for you until <b>{deadline}</b>. Press <b>Take</b> if you will attend, or "
        "<b>Release</b> if not (you leave the waiting list)."
    ),
    "seat_taken": (
        "🎉 <b>Your seat is confirmed.</b>\n\n<b>Meeting:</b> {meeting}\n<b>Role:</b> {role}\n"
        "<b>Time:</b> {when}\n<b>Venue:</b> {venue}"
    ),
    "seat_released": "All right, the seat at <b>{meeting}</b> goes to the next person and you have left the waiting list.",
    "seat_too_late": (
        "Sorry, the seat at <b>{meeting}</b> is no longer available to you: the offer ran out or the "
        "seat was filled. You stay on the waiting list."
    ),
    "offer_lapsed": (
        "The time to take the seat at <b>{meeting}</b> has run out, so it was offered to the next "
        "person. You stay on the waiting list. If you still want to come, press the button below: "
        "a seat that is still free becomes yours at once."
    ),
    "schedule_changed": (
        "📅 <b>Schedule change:</b> {meeting}\n<b>Time:</b> {when}\n<b>Venue:</b> {venue}\n\n"
        "Type /status to see your registrations."
    ),
    "calendar_caption": "📅 Add it to your calendar.",
    "calendar_title": "{program}: {meeting}",
    "calendar_description": "Role: {role}",
    "status_offered": "🎟️ <b>{meeting}</b>\n   {role} · seat offered, take it before {deadline}\n   {when}\n   {venue}",
    "attendance_confirmed_line": "   attendance confirmed",
    "mydata_none": "We keep no personal data about you apart from your Telegram ID and consent record.",
    "mydata": (
        "The data we keep about you:\n\n"
        "<b>Name:</b> {name}\n<b>Institution:</b> {institution}\n<b>Position:</b> {position}\n"
        "<b>Mobile:</b> {phone}\n<b>Registered since:</b> {since}\n\n"
        "To correct it, register again with /start. To delete everything: /hapusdata."
    ),
    "erase_confirm": (
        "Delete all your personal data? All your registrations are cancelled and their seats "
        "go to the waiting list. This cannot be undone."
    ),
    "erase_done": "Your personal data has been deleted and your consent withdrawn. Thank you.",
    "erase_kept": "All right, your data is not deleted.",
    "help": (
        "<b>Help</b>\n\n"
        "/start: register for a meeting\n"
        "/status: see your registrations\n"
        "/batal: cancel a registration\n"
        "/cancel: stop in the middle of registering\n"
        "/datasaya: see your personal data\n"
        "/hapusdata: delete your personal data\n"
        "/bahasa: change language (Indonesia/English)\n"
        "/bantuan: this message"
    ),
    "resume": "Let's carry on with your registration.",
    "left_conversation": "Registration stopped. What you typed has been deleted. Type /start to begin again.",
    "nothing_to_leave": "No registration is in progress.",
    "unknown_command": "Unknown command. Type /bantuan to see the commands.",
    "idle_hint": "Type /start to register or /bantuan for help.",
    "choose_language": "Pilih bahasa / Choose a language:",
    "language_set": "Language set to English.",
    "group_redirect": "Registration happens in a private chat with this bot, so that your details are not shown in the group. Press the button below to start.",
    "program_unnamed": "Stakeholder Meeting",
    "stale_button": "This button is no longer valid.",
    "error": "Sorry, something went wrong. Please try again shortly.",
    "date_tba": "date to be announced",
    "venue_tba": "venue to be announced",
    "at_time": "{date} at {time} {zone}",
    "btn_agree": "✅ I agree",
    "btn_disagree": "No",
    "btn_prev": "« Previous",
    "btn_next": "Next »",
    "btn_meeting": "{province} · {date}",
    "btn_meeting_wave": "Wave {wave} · {province} · {date}",
    "btn_role": "{role} · {left}/{seats} left",
    "btn_role_full": "{role} · full (waiting list)",
    "btn_submit": "✅ Submit",
    "btn_edit": "✏️ Change",
    "btn_discard": "❌ Cancel",
    "btn_field_meeting": "Meeting",
    "btn_field_role": "Role",
    "btn_field_name": "Name",
    "btn_field_institution": "Institution",
    "btn_field_position": "Position",
    "btn_field_phone": "Mobile",
    "btn_back": "« Back",
    "btn_share_phone": "📱 Share my number",
    "btn_register_more": "➕ Register for another meeting",
    "btn_cancel_registration": "Cancel: {meeting}",
    "btn_confirm_cancel": "Yes, cancel",
    "btn_keep": "No",
    "btn_private_chat": "Register in a private chat",
    # Each language is offered under its own name.
    "btn_language_name": "English",
    "btn_attend": "✅ Attending",
    "btn_absent": "❌ Not attending",
    "btn_confirm_absent": "Yes, I cannot attend",
    "btn_take_seat": "✅ Take",
    "btn_release_seat": "Release",
    "btn_take_free_seat": "Take a seat if one is free",
    "btn_confirm_erase": "Yes, delete my data",
    # Descriptions in Telegram's command menu (plain text).
    "cmd_start": "Register for a meeting",
    "cmd_status": "See my registrations",
    "cmd_batal": "Cancel a registration",
    "cmd_cancel": "Stop registering",
    "cmd_datasaya": "See my personal data",
    "cmd_hapusdata": "Delete my personal data",
    "cmd_bahasa": "Change language",
    "cmd_bantuan": "Help",
    # ---- Staff (PICs and organizers). Each feature adds its keys in its own block below.
    "staff_not_allowed": "Sorry, this command is only for the organizers and the PICs of the meeting concerned.",
    "staff_choose_meeting": "Choose a meeting (page {page}/{pages}):",
    # ---- alerts (PIC digests, organizers' national digest)
    "alerts_title": "🔔 <b>Quota alerts: {meeting}</b>\n{when}",
    "alerts_more": "… and {count} more alerts.",
    "alerts_erased": "(data deleted)",
    "alerts_more_names": "and {count} others",
    "alerts_role_fill": "{role} {taken}/{seats}",
    "alerts_unconfirmed": "⏰ <b>Meeting tomorrow</b>: {count} participants have not answered Attending / Not attending: {names}.",
    "alerts_lagging": "⚠️ <b>Registration is behind</b>, {days} days to go: {roles}.",
    "alerts_threshold": "📈 {role} has {taken} of {seats} seats taken.",
    "alerts_full": "✅ {role} is full ({taken}/{seats}).",
    "alerts_cause_cancelled": "{name} cancelled a {role} seat",
    "alerts_cause_absent": "{name} answered Not attending ({role})",
    "alerts_cause_lapsed": "The {role} seat offered to {name} was not taken in time",
    "alerts_fate_promoted": "🔄 {cause}; the seat went to {name} from the waiting list.",
    "alerts_fate_offered": "🔄 {cause}; the seat is offered to {name} (awaiting an answer).",
    "alerts_fate_vacant": "🔄 {cause}; nobody is waiting, the seat is empty ({taken}/{seats}).",
    "alerts_waitlist": "⏳ The {role} waiting list grew by {added} ({names}); {waiting} now waiting.",
    "alerts_unreachable": "🚫 {count} participants blocked the bot and cannot be reached: {names}.",
    "national_title": "📊 <b>National summary</b>, {date}",
    "national_at_risk": "<b>At risk ({count})</b>",
    "national_none_at_risk": "No meeting is at risk.",
    "national_risk_line": "• {meeting}, {date}: {roles}",
    "national_others": "<b>Others</b>",
    "national_line": "• {meeting}, {date}: {taken}/{seats} seats, {waiting} waiting",
    "national_more": "… and {count} more meetings.",
    "national_totals": "<b>Total</b> {meetings} meetings: {taken}/{seats} seats taken, {waiting} waiting, {at_risk} at risk.",
}
