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
        "without losing your seat (/ubahdata), withdraw consent and delete your data (/hapusdata).\n\n"
        "Do you agree to your data being used for this purpose?"
    ),
    "consent_refused": (
        "All right, none of your data is kept. Registration needs this consent; if you change your mind, type /start."
    ),
    "consent_given": "Thank you, your consent is recorded.",
    "choose_meeting": "Choose the meeting you will attend (page {page}/{pages}):",
    "no_open_meetings": "No meeting is open for registration at the moment.",
    "meeting_closed": "Registration for <b>{meeting}</b> is closed. Please choose another meeting.",
    "unknown_meeting_link": "That meeting link is not known. Please choose from the list.",
    "choose_role": "<b>{meeting}</b>\n{when}\n\nChoose your role (seats left are shown):",
    "role_full_notice": (
        "The role <b>{role}</b> is full. If you go on, you join the waiting list and get a seat when someone cancels."
    ),
    "meetings_registered_note": "✅ marks the meetings you are registered for.",
    "reuse_offer": (
        "Use the details from your previous registration?\n\n{details}\n\n"
        "You can still change any of them before submitting."
    ),
    "details_block": (
        "<b>Name:</b> {name}\n<b>Institution:</b> {institution}\n<b>Position:</b> {position}\n<b>Mobile:</b> {phone}"
    ),
    "ask_name": "Type your <b>full name</b> (with titles, if any):",
    "ask_institution": "Type the name of your <b>institution</b>:",
    "ask_position": "Type your <b>position</b>:",
    "ask_phone": ("Send your <b>mobile number</b>: press «Share my number» below, or type it (e.g. 0812-3456-7890)."),
    "current_value": "Now: <i>{value}</i>",
    "phone_saved": "Number saved: {phone}",
    "invalid_empty": "The answer cannot be empty.",
    "invalid_too_short": "The answer is too short.",
    "invalid_too_long": "The answer is too long (at most {max} characters).",
    "invalid_no_letters": "The answer must contain letters.",
    "invalid_invisible": "The answer has no letters that can be seen (only blank characters). Type it in ordinary letters.",
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
    "status_finished_header": "<b>Meetings that have started:</b>",
    "status_finished": "🏁 <b>{meeting}</b> · started\n   {role} · {ending}\n   {when}",
    "status_ending_confirmed": "attending (confirmed)",
    "status_ending_seated": "had a seat, attendance not confirmed",
    "status_ending_absent": "answered Not attending",
    "status_ending_cancelled": "cancelled",
    "status_ending_no_seat": "no seat (waiting list)",
    "meeting_started": "<b>{meeting}</b> has started: your registration there can no longer be cancelled or changed.",
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
    "mydata_none": "We keep no personal data about you, only your Telegram ID and the language of this chat.",
    "mydata_head": (
        "<b>The data we keep about you</b> (Law No. 27 of 2022)\n\n"
        "<b>Telegram ID:</b> {telegram_id}\n<b>Chat language:</b> {language}"
    ),
    "mydata_consent": "<b>Consent:</b> {decision} on {date}, consent text version {version} ({count} decisions recorded)",
    "mydata_consent_given": "given",
    "mydata_consent_withdrawn": "refused or withdrawn",
    "mydata_latest": "<b>The details you gave last</b> (offered for your next registration; kept since {since}):\n{details}",
    "mydata_registration": "<b>Registration: {meeting}</b>\n<b>Role:</b> {role} · {status}\n<b>Registered:</b> {registered}\n{details}",
    "mydata_status_seated": "seat",
    "mydata_status_waitlisted": "waiting list",
    "mydata_status_offered": "seat offered",
    "mydata_status_cancelled": "cancelled",
    "mydata_pic": "<b>PIC:</b> {meeting}, since {since}",
    "mydata_pic_revoked": "<b>PIC (revoked):</b> {meeting}, since {since}",
    "mydata_draft": "<b>Being typed in:</b> {values}",
    "mydata_footer": (
        "All of it is in the attached file (JSON) too. To correct your details: /ubahdata. "
        "To delete everything: /hapusdata."
    ),
    "mydata_file_caption": "📎 Your data in one file (JSON).",
    "fix_none": "You hold no registration whose details could be corrected. Type /start to register.",
    "fix_choose": "Which registration's details do you want to correct?",
    "fix_fields": (
        "Your details for <b>{meeting}</b>:\n\n{details}\n\n"
        "Which one do you want to correct? Your seat or waiting-list place stays as it is. "
        "To stop: /cancel."
    ),
    "fix_saved": (
        "✅ Your details for <b>{meeting}</b> are corrected:\n\n{details}\n\n"
        "The meeting's PICs see the new details. To correct another one, type /ubahdata again."
    ),
    "fix_gone": "This registration has ended, so its details cannot be changed. Type /status to see your registrations.",
    "erase_confirm": (
        "Delete all your personal data? All your registrations are cancelled; seats of meetings "
        "that have not started go to the waiting list. This cannot be undone."
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
        "/ubahdata: correct your name, institution, position or mobile number\n"
        "/hapusdata: delete your personal data\n"
        "/bahasa: change language (Indonesia/English)\n"
        "/bantuan: this message"
    ),
    "resume": "Let's carry on with your registration.",
    "left_conversation": "Registration stopped. What you typed has been deleted. Type /start to begin again.",
    "nothing_to_leave": "No registration is in progress.",
    "edit_not_read": "The bot does not read edited messages. Please send your answer as a new message.",
    "unknown_command": "Unknown command. Type /help to see the commands.",
    "idle_hint": "Type /start to register or /help for help.",
    "choose_language": "Pilih bahasa / Choose a language:",
    "language_set": "Language set to English.",
    "group_redirect": "Registration happens in a private chat with this bot, so that your details are not shown in the group. Press the button below to start.",
    "program_unnamed": "Stakeholder Meeting",
    "stale_button": "This button is no longer valid.",
    "repeated_press": "Already received.",
    "pressed_choice": "<i>→ {choice}</i>",
    "language_switch_hint": "🌐 Change language: /language · Ganti bahasa: /bahasa",
    "error": "Sorry, something went wrong. Please try again shortly.",
    "slow_down": (
        "Your messages are coming in too fast, so I skipped some of them. "
        "Please wait a moment, then send again what you need, one message at a time."
    ),
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
    "btn_meeting_registered": "✅ {meeting}",
    "btn_reuse_details": "✅ Use these details",
    "btn_new_details": "✏️ Enter new details",
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
    "btn_fix_pick": "{meeting} · {role}",
    "btn_confirm_erase": "Yes, delete my data",
    # Descriptions in Telegram's command menu (plain text).
    "cmd_start": "Register for a meeting",
    "cmd_status": "See my registrations",
    "cmd_batal": "Cancel a registration",
    "cmd_cancel": "Stop registering",
    "cmd_datasaya": "See my personal data",
    "cmd_ubahdata": "Correct my details",
    "cmd_hapusdata": "Delete my personal data",
    "cmd_bahasa": "Change language",
    "cmd_bantuan": "Help",
    # ---- Staff (PICs and organizers). Each feature adds its keys in its own block below.
    "staff_not_allowed": "Sorry, this command is only for the organizers and the PICs of the meeting concerned.",
    "staff_only": "Sorry, this command is only for the organizers and the PICs of a meeting. The commands you can use:\n{commands}",
    "staff_admin_only": "Sorry, this command is only for the organizers. As a PIC you can use:\n{commands}",
    "help_staff": "<b>PIC commands</b>\n{commands}",
    "help_admin": "<b>Organizer commands</b>\n{commands}",
    "staff_choose_meeting": "Choose a meeting (page {page}/{pages}):",
    # ---- PIC management (/pic, invite links, staff command menus)
    "staffcmd_rekap": "Quota summary of the meeting",
    "staffcmd_peserta": "Participants of the meeting",
    "staffcmd_ekspor": "Export the participant list",
    "staffcmd_umumkan": "Send an announcement to participants",
    "staffcmd_ubah": "Change the participant list",
    "admincmd_rekap_nasional": "National summary of all provinces",
    "admincmd_ekspor_semua": "Export the participants of every meeting",
    "admincmd_pic": "Manage the PICs of a meeting",
    "pic_panel_title": "<b>PICs of {meeting}</b>",
    "pic_panel_no_pics": "No PIC yet.",
    "pic_panel_pics": "Current PICs:",
    "pic_panel_pic": "• {name} — since {since}, {via}",
    "pic_via_invite": "through an invite link",
    "pic_via_registration": "registered as {role}",
    "pic_panel_invites": "Unused invite links:",
    "pic_panel_invite": "{number}. valid until {until}",
    "pic_panel_invite_lasting": "{number}. without time limit",
    "pic_panel_candidates": "Registered as {role}, not PIC yet:",
    "pic_facilitator_fallback": "registrant",
    "pic_panel_candidate": "• {name}",
    "pic_panel_hint": "Use the buttons below to create an invite link, make someone registered as {role} PIC, or revoke a PIC.",
    "pic_invite_link": (
        "PIC invite link for <b>{meeting}</b>, single use, valid until {until}:\n{link}\n\n"
        "Send it only to the future PIC: the first person to open it becomes PIC of this meeting."
    ),
    "pic_welcome": "You are now a PIC of <b>{meeting}</b>. Commands you can use:\n{commands}",
    "pic_already": "You are already a PIC of <b>{meeting}</b>.",
    "pic_invite_unknown": "This PIC invite link is not known. Please ask the organizers for a new one.",
    "pic_invite_used": "This PIC invite link has been used already. Each link works once; please ask the organizers for a new one.",
    "pic_invite_revoked": "The organizers have withdrawn this PIC invite link.",
    "pic_invite_expired": "This PIC invite link has expired. Please ask the organizers for a new one.",
    "pic_granted_done": "{name} is now a PIC of <b>{meeting}</b>.",
    "pic_grant_already": "{name} is a PIC of <b>{meeting}</b> already.",
    "pic_grant_not_eligible": "This registration cannot be made PIC (any more).",
    "pic_revoked_done": "{name} is no longer a PIC of <b>{meeting}</b>.",
    "pic_revoked_notice": "You are no longer a PIC of <b>{meeting}</b>. Thank you for your help.",
    "pic_revoke_stale": "This PIC was revoked already.",
    "pic_name_erased": "PIC (data erased)",
    "pic_invite_withdrawn": "Invite link withdrawn.",
    "pic_invite_withdraw_stale": "This invite link has been used or withdrawn already.",
    "btn_pic_revoke": "Revoke: {name}",
    "pic_revoke_confirm": "Revoke <b>{name}</b> as PIC of <b>{meeting}</b>? They will no longer see the participant list nor get its alerts.",
    "btn_pic_revoke_yes": "Yes, revoke",
    "pic_invite_withdraw_confirm": "Withdraw the PIC invite link for <b>{meeting}</b>? Nobody will be able to use it.",
    "btn_pic_invite_withdraw_yes": "Yes, withdraw the link",
    "pic_invite_used_notice": "Your invite link was used: {name} is now PIC of <b>{meeting}</b>.",
    "btn_pic_make": "Make PIC: {name}",
    "btn_pic_invite": "Create an invite link",
    "btn_pic_invite_withdraw": "Withdraw invite {number}",
    # ---- announcements, roster changes, program upload
    "staff_step_left": "Stopped. Nothing was changed or sent.",
    "finish_draft_first": "You are in the middle of registering. Finish it first, or leave it with /cancel, then repeat that command.",
    "announcement": "📢 <b>Announcement — {meeting}</b>\n\n{body}",
    "announce_ask": (
        "Type the announcement for every participant of <b>{meeting}</b> (at most {max} characters). "
        "You will see a preview before it is sent. Type /cancel to stop."
    ),
    "announce_empty": "The announcement can't be empty. Type its text, or /cancel to stop.",
    "announce_too_long": "The announcement is too long (at most {max} characters). Shorten it and send it again.",
    "announce_no_recipients": "This meeting has no participants who can be reached on Telegram yet.",
    "announce_preview": "Preview: {recipients} participants will receive the message below exactly like this.",
    "btn_announce_send": "📤 Send to {n} participants",
    "btn_announce_drop": "Cancel",
    "announce_dropped": "Announcement cancelled; nothing was sent.",
    "announce_already_sent": "This announcement was sent already.",
    "announce_sending": "Sending…",
    "announce_sending_notice": (
        "📤 The announcement is being sent to {recipients} participants. You will be told how many received it."
    ),
    "announce_report": (
        "📊 The announcement for <b>{meeting}</b> was received by <b>{received} of {recipients}</b> participants "
        "({blocked} blocked the bot, {failed} not delivered)."
    ),
    "btn_roster_person_seated": "{name} — {role}",
    "btn_roster_person_waiting": "⏳ {name} — {role}",
    "roster_empty": "<b>{meeting}</b> has no participants yet.",
    "roster_pick_mv": "Change role — choose a participant of <b>{meeting}</b> (page {page}/{pages}; ⏳ = waiting list):",
    "roster_pick_rm": "Remove — choose a participant of <b>{meeting}</b> (page {page}/{pages}; ⏳ = waiting list):",
    "roster_move_choose_role": "Move <b>{name}</b> (now {role}) to the role:",
    "roster_move_reason": (
        "Move <b>{name}</b> to <b>{role}</b>. Type the reason (required, kept in the audit log); "
        "the change is made when the reason is sent. /cancel to stop."
    ),
    "roster_remove_reason": (
        "Remove <b>{name}</b> ({role}) from <b>{meeting}</b>? Type the reason (required, kept in the audit log); "
        "they are removed when the reason is sent. /cancel to stop."
    ),
    "roster_add_ask": (
        "Add a participant of <b>{meeting}</b> who registered another way (paper form, phone call). "
        "Send their details in one message, four lines:\n\nFull name\nInstitution\nPosition\nMobile number\n\n"
        "/cancel to stop."
    ),
    "roster_add_four_lines": "Please send exactly four lines: full name, institution, position, mobile number.",
    "roster_add_bad_line": "Line {line} is not right yet:",
    "roster_add_choose_role": (
        "<b>Name:</b> {name}\n<b>Institution:</b> {institution}\n<b>Position:</b> {position}\n<b>Mobile:</b> {phone}\n\n"
        "Choose their role. By choosing you confirm that this person agreed to the use of their data for "
        "registration (on a form or by phone), as this bot's privacy notice describes."
    ),
    "roster_add_reason": (
        "Add <b>{name}</b> as <b>{role}</b>. Type the reason (required, kept in the audit log); "
        "they are added when the reason is sent. /cancel to stop."
    ),
    "roster_role_full": (
        "The role <b>{role}</b> is full ({taken} of {seats} seats taken, {waiting} waiting). Nothing was changed."
    ),
    "roster_not_found": "That registration is no longer active. Nothing was changed.",
    "roster_same_role": "The participant is in that role already. Nothing was changed.",
    "roster_unknown_role": "That role does not exist at this meeting. Nothing was changed.",
    "roster_started": (
        "This meeting has started, so nothing was changed. After the start a change is only recorded as a "
        "correction: start again with /ubah and type the reason for the correction."
    ),
    "roster_correction_note": (
        "⚠️ <b>{meeting}</b> has started. This change is recorded as a <b>correction</b> of the roster: "
        "no seat passes to the waiting list and no participant is messaged. The reason for the correction is "
        "required and kept in the audit log."
    ),
    "btn_record_attend": "✅ Attending: {name}",
    "btn_record_absent": "❌ Not attending: {name}",
    "btn_confirm_staff_absent": "Yes, not attending",
    "staff_absence_confirm": (
        "Record <b>{name}</b> as not attending <b>{meeting}</b>? Their seat is given up and goes to the next "
        "person on the waiting list."
    ),
    "staff_attendance_kept": "All right, nothing was changed.",
    "staff_attendance_recorded": "✅ <b>{name}</b> is recorded as attending {meeting}. Kept in the audit log.",
    "staff_absence_recorded": "✅ <b>{name}</b> is recorded as not attending {meeting}; their seat was given up. Kept in the audit log.",
    "staff_attendance_too_late": "<b>{meeting}</b> has started: attendance can no longer be recorded. Nothing was changed.",
    "roster_closed": "Registration for this meeting has closed. Nothing was changed.",
    "roster_moved": "✅ <b>{name}</b> is now registered as <b>{role}</b> at {meeting}. Kept in the audit log.",
    "roster_removed": "✅ <b>{name}</b> ({role}) was removed from {meeting}. Kept in the audit log.",
    "roster_added_seated": "✅ <b>{name}</b> was added as <b>{role}</b> at {meeting} and has a seat.",
    "roster_added_waiting": (
        "✅ <b>{name}</b> was added as <b>{role}</b> at {meeting}; the role is full, so they are on the waiting list."
    ),
    "roster_seat_given": "The freed seat went to <b>{name}</b> from the waiting list.",
    "roster_seat_offered": "The freed seat was offered to <b>{name}</b> from the waiting list.",
    "roster_moved_notice": (
        "ℹ️ The organizers changed your role at <b>{meeting}</b> to <b>{role}</b>. Your seat is recorded.\n"
        "<b>Time:</b> {when}\n<b>Venue:</b> {venue}"
    ),
    "roster_removed_notice": (
        "ℹ️ The organizers removed you from the participants of <b>{meeting}</b> ({role}). "
        "If this is a mistake, contact your meeting's PIC."
    ),
    "roster_menu": "Change the participants of <b>{meeting}</b>: every change needs a reason and is kept in the audit log.",
    "btn_roster_menu_pindah": "🔀 Change role",
    "btn_roster_menu_tambah": "➕ Add participant",
    "btn_roster_menu_keluarkan": "➖ Remove participant",
    "program_not_yaml": "A program file must be a YAML file (.yaml or .yml).",
    "program_too_big": "The file is too large (at most {max_kb} KB).",
    "program_download_failed": "The file could not be downloaded from Telegram. Please send it again.",
    "program_invalid": "❌ The program file was not loaded; nothing changed.\n\n<pre>{problems}</pre>",
    "program_confirm": (
        "⚠️ The program file <b>{program}</b> changes meetings people registered for:\n\n{risks}\n\n"
        "Nothing has changed yet. Apply this file?"
    ),
    "program_confirm_changed": "Registrations changed since this file was sent. Check again before applying it.",
    "program_risk_hidden": "• <b>{code}</b> hidden: {registrations} registrations",
    "program_risk_moved": "• <b>{code}</b> moves from {before} to {after}: {seated} participants will be told",
    "program_risk_more": "• … and {count} more changes",
    "btn_program_apply": "✅ Apply",
    "btn_program_drop": "Cancel",
    "program_confirm_stale": "This confirmation no longer applies (a newer file was sent, or it was decided already).",
    "program_dropped": "The program file was not applied; nothing changed.",
    "program_loaded": (
        "✅ Program <b>{program}</b> loaded: {created} meetings created, {updated} updated, {unchanged} unchanged, "
        "{unlisted} unlisted ({unlisted_codes}). {notified} people will be told of changed dates or venues."
    ),
    # ---- Reports (/rekap, /peserta, /ekspor, /rekap_nasional, /ekspor_semua)
    "report_recap": "<b>Recap {meeting}</b>\n{when}\n\n<pre>{table}</pre>\n{legend}\n\n{risk}",
    "report_recap_columns": "Seats|Taken|Conf|Wait|Held|Free",
    "report_recap_total": "TOTAL",
    "report_recap_legend": (
        "Taken = seated; Conf = said they will attend; Wait = waiting list; "
        "Held = seat offered and held; Free = empty seats."
    ),
    "report_risk_none": "No role is lagging.",
    "report_risk_roles": "⚠️ At risk: roles {roles} still lack participants.",
    "report_roster_head": "<b>Participants {meeting}</b> · {count} people · page {page}/{pages}",
    "report_roster_role": "\n<u>{role}</u>",
    "report_roster_line": "{number}. <b>{name}</b> — {institution}, {position} · {phone} · {status}",
    "report_status_seated": "Seated",
    "report_status_offered": "Offered a seat",
    "report_status_waitlisted": "Waiting list",
    "report_attendance_yes": "Attending",
    "report_attendance_no": "Not attending",
    "report_attendance_none": "No answer yet",
    "report_attendance_by_hand": "Not recorded by the PIC yet",
    "report_waiting_place": "Waiting list no. {place}",
    "report_column_meeting": "Meeting",
    "report_column_name": "Name",
    "report_column_institution": "Institution",
    "report_column_position": "Position",
    "report_column_phone": "Phone",
    "report_column_role": "Role",
    "report_column_status": "Status",
    "report_column_waitlist_position": "Waiting no.",
    "report_column_attendance": "Confirmation",
    "report_column_registered_at": "Registered at (local time)",
    "report_sheet_title": "Participants",
    "report_export_ready": (
        "Participants of {meeting}: {count} people, as Excel and CSV.\n"
        "It holds personal data: keep it safe and do not share it."
    ),
    "report_export_all": "the whole program",
    "report_export_xlsx": "Excel",
    "report_export_csv": "CSV (UTF-8, semicolon-separated)",
    "report_national": "<b>National recap</b> · {meetings} meetings · {taken}/{seats} seats taken\n\n<pre>{table}</pre>\n{risk}",
    "report_national_columns": "Province|Taken|Wait|",
    "report_national_risk": "⚠️ At risk ({count}): {meetings}",
    "report_national_caption": (
        "Seats taken per province, emptiest at the top: blue = taken, red and (!) = at risk, grey = free."
    ),
    "report_chart_title": "Seats taken per province",
    "report_chart_totals": "{taken}/{seats} seats taken · {at_risk} at risk · emptiest at the top",
    "report_chart_legend_taken": "taken",
    "report_chart_legend_at_risk": "{marker} at risk",
    "report_chart_legend_free": "free",
    "report_chart_at_risk_marker": "(!)",
    # ---- alerts (PIC digests, organizers' national digest)
    "alerts_title": "🔔 <b>Quota alerts: {meeting}</b>\n{when}",
    "alerts_more": "… and {count} more alerts.",
    "alerts_erased": "(data deleted)",
    "alerts_more_names": "and {count} others",
    "alerts_role_fill": "{role} {taken}/{seats}",
    "alerts_unconfirmed": "⏰ <b>Meeting {lead}</b>: {count} participants have not answered Attending / Not attending: {names}.",
    "alerts_lagging": "⚠️ <b>Registration is behind</b>, the meeting is {lead}: {roles}.",
    "alerts_threshold": "📈 {role} has {taken} of {seats} seats taken.",
    "alerts_full": "✅ {role} is full ({taken}/{seats}).",
    "alerts_cause_cancelled": "{name} cancelled a {role} seat",
    "alerts_cause_absent": "{name} answered Not attending ({role})",
    "alerts_cause_lapsed": "The {role} seat offered to {name} was not taken in time",
    "alerts_cause_moved": "{name} was moved out of {role}",
    "alerts_cause_released": "{name} declined the {role} seat offered to them",
    "alerts_cause_removed": "{name} was removed from {role} by staff",
    "alerts_fate_promoted": "🔄 {cause}; the seat went to {name} from the waiting list.",
    "alerts_fate_offered": "🔄 {cause}; the seat is offered to {name} (awaiting an answer).",
    "alerts_fate_vacant": "🔄 {cause}; nobody is waiting, the seat is empty ({taken}/{seats}).",
    "alerts_fate_vacant_refilled": "🔄 {cause}; nobody was waiting then; it is taken again now ({taken}/{seats}).",
    "alerts_fate_offered_taken": "🔄 {cause}; the seat was offered to {name}, who has taken it ({taken}/{seats}).",
    "alerts_fate_offered_passed": "🔄 {cause}; the seat was offered to {name}, who did not take it.",
    "alerts_pic_appointed": "ℹ️ These alerts came in before the meeting had a PIC; the next ones go to the PIC.",
    "alerts_no_pic": "ℹ️ This meeting has no PIC yet: its alerts go to the organizers until one is appointed (/pic).",
    "alerts_waitlist": "⏳ The {role} waiting list grew by {added} ({names}); {waiting} now waiting.",
    "alerts_unrecorded_by_hand": "✍️ {count} participants added by a PIC have no attendance recorded yet: {names}. Record it on /peserta.",
    "alerts_unreachable": "🚫 {count} participants blocked the bot and cannot be reached: {names}.",
    "alerts_corrected": "✏️ {count} participants corrected their details (name, institution, position or mobile): {names}. See /peserta.",
    "national_title": "📊 <b>National summary</b>, {date}",
    "national_at_risk": "<b>At risk ({count})</b>",
    "national_none_at_risk": "No meeting is at risk.",
    "national_risk_line": "• {meeting}, {date}: {roles}",
    "national_others": "<b>Others</b>",
    "national_line": "• {meeting}, {date}: {taken}/{seats} seats, {waiting} waiting",
    "national_more": "… and {count} more meetings.",
    "national_totals": "<b>Total</b> {meetings} meetings: {taken}/{seats} seats taken, {waiting} waiting, {at_risk} at risk.",
    # --- self check-in (projector code), check-in from the roster, not-checked-in alert ---
    "staffcmd_checkin": "Check-in code for the projector",
    "staffcmd_catathadir": "Check participants in",
    "projector_no_meeting_today": (
        "You have no meeting today. The projector's check-in code is available on the day of the meeting only."
    ),
    "projector_choose": "You have several meetings today. Which meeting's check-in code should be shown?",
    "projector_no_date": "The date of <b>{meeting}</b> is not set yet: there is no check-in code.",
    "projector_too_early": "Self check-in at <b>{meeting}</b> is not open yet. The code can be shown from {opens}.",
    "projector_over": ("Self check-in at <b>{meeting}</b> has closed ({ended}). Check latecomers in with /catathadir."),
    "projector_code": (
        "📽 <b>Check-in code of {meeting}</b>\n"
        "Show the picture below on the projector. Participants with a seat scan it with their phone's camera "
        "and are checked in at once.\n\n"
        "The code changes every 10 minutes (next at {replaced}); press <b>Refresh</b> for the latest code. "
        "Self check-in closes at {ends}."
    ),
    "projector_caption": '<a href="{link}">Scan to check in</a> · {meeting} · valid until {until}',
    "btn_projector_refresh": "🔄 Refresh",
    "self_checkin_forged": (
        "This check-in code is not recognised. Scan the QR code shown on the meeting's screen with your phone's camera."
    ),
    "self_checkin_expired": (
        "This check-in code has expired: the code on the screen changes every 10 minutes. "
        "Scan the code shown on the screen now."
    ),
    "self_checkin_not_registered": (
        "You are not registered for <b>{meeting}</b>, so your attendance cannot be recorded. "
        "Please go to the committee at the registration desk."
    ),
    "self_checkin_waiting": (
        "You have no seat at <b>{meeting}</b> (you are on the waiting list), so your attendance cannot be recorded. "
        "Please go to the committee at the registration desk."
    ),
    "self_checkin_cancelled": (
        "Your registration for <b>{meeting}</b> was cancelled, so your attendance cannot be recorded. "
        "Please go to the committee at the registration desk."
    ),
    "self_checkin_no_date": "The date of <b>{meeting}</b> is not set yet: check-in is not possible yet.",
    "self_checkin_too_early": "Self check-in at <b>{meeting}</b> is not open yet; it opens at {opens}.",
    "self_checkin_too_late": (
        "Self check-in at <b>{meeting}</b> has closed ({ended}). Please go to the committee, who can record "
        "your attendance."
    ),
    "self_checkin_checked_in": (
        "✅ Thank you, <b>{name}</b>! Your attendance at <b>{meeting}</b> ({role}) was recorded at {time}."
    ),
    "self_checkin_already": "You were checked in at <b>{meeting}</b> at {time} already. No need to check in again.",
    "checkin_roster_none": (
        "None of your meetings can take check-ins now. Check-in opens on the day of the meeting (from 00:00 "
        "local time) and can be corrected until 30 days after the meeting ended."
    ),
    "checkin_roster_choose": "Check-in: choose the meeting (page {page}/{pages}):",
    "checkin_roster_empty": "Nobody holds a seat at <b>{meeting}</b> yet.",
    "checkin_roster_head": (
        "<b>Check-in at {meeting}</b> · {checked}/{seated} checked in · page {page}/{pages}\n"
        "Tap the name of each participant who arrives to check them in.\n"
    ),
    "checkin_roster_line_in": "{number}. ✓ <b>{name}</b> — {role} · checked in {time}",
    "checkin_roster_line_out": "{number}. <b>{name}</b> — {role} · not checked in",
    "checkin_roster_correction": (
        "\nℹ️ This meeting has ended: a check-in recorded now is a correction and is written to the audit log."
    ),
    "checkin_roster_too_early": "Check-ins at <b>{meeting}</b> can be recorded from {opens}.",
    "checkin_roster_too_late": "Check-ins at <b>{meeting}</b> can no longer be recorded: corrections ended {closed}.",
    "checkin_roster_no_date": "The date of <b>{meeting}</b> is not set yet: check-ins cannot be recorded yet.",
    "btn_checkin_in": "✓ {number}. {name} · {time}",
    "btn_checkin_out": "{number}. {name}",
    "checkin_tap_done": "✓ {name} · {role} · {checked}/{seats} checked in",
    "checkin_tap_already": "{name} was checked in at {time} already.",
    "checkin_tap_not_seated": "{name} no longer holds a seat: not checked in.",
    "report_column_checked_in": "Checked in",
    "report_checked_in_at": "checked in {time}",
    "report_recap_check_in": "✅ Check-in: {checked} of {seated} seated participants checked in, {missing} not yet.",
    "not_checked_in_alert": (
        "🕙 <b>Not checked in: {meeting}</b>\n"
        "An hour after the start, {missing} of {seated} seated participants are not checked in ({checked} are):\n"
    ),
    "not_checked_in_line": "{number}. <b>{name}</b> — {institution} ({role})",
    "not_checked_in_hint": "\nCheck arrivals in with /catathadir, or show the check-in code with /checkin.",
    "not_checked_in_no_pic": "ℹ️ This meeting has no PIC yet: this notice goes to the organizers (/pic).",
    # --- daftar hadir (signed attendance list) ---
    "staffcmd_daftarhadir": "Attendance list of a meeting (PDF to sign)",
    "daftarhadir_choose": "Choose the meeting for the attendance list (page {page}/{pages}):",
    "btn_daftarhadir_meeting": "{meeting} · {date}",
    "daftarhadir_none_dated": "There is no dated meeting you manage yet: an attendance list is made for meetings that have a date.",
    "daftarhadir_no_date": "<b>{meeting}</b> has no date yet: its attendance list can be made once it is scheduled.",
    "daftarhadir_ready": "📄 Attendance list of <b>{meeting}</b>: {seated} people with a seat, {checked_in} checked in (at the top, with the time they arrived), then empty rows for walk-ins.",
    "daftarhadir_caption": "Attendance list (A4 PDF, ready to print and sign)",
    "daftarhadir_pdf_title": "ATTENDANCE LIST",
    "daftarhadir_pdf_meeting": "Meeting",
    "daftarhadir_pdf_date": "Date",
    "daftarhadir_pdf_venue": "Venue",
    "daftarhadir_pdf_online": "Online link",
    "daftarhadir_pdf_columns": "No|Name|Institution|Position|Signature",
    "daftarhadir_pdf_checked_in": "Checked in {time}",
    "daftarhadir_pdf_page": "Page {page} of {pages}",
    "daftarhadir_pdf_place_date": "{place}, {date}",
    # --- certificates ---
    "certificate_message": "🎓 Thank you for attending {meeting}. Here is your <b>e-certificate</b>.",
    "certificate_caption": "E-certificate number {number}",
    "certificate_filename": "certificate-{number}.pdf",
    "certificate_pdf_title": "CERTIFICATE",
    "certificate_pdf_text": "is awarded to",
    "certificate_pdf_role_text": "for taking part as {role} in",
    "certificate_pdf_meeting": "{program}, {meeting}",
    "certificate_pdf_number": "No. {number}",
    "certificate_pdf_place_date": "{city}, {date}",
    "certificate_pdf_signer_title": "Chair of the Committee",
    "certificate_pdf_check": "Scan this QR code to check that the certificate is genuine.",
    "certificate_genuine": "✅ <b>Genuine certificate</b>\nName: {name}\nMeeting: {meeting}\nDate: {when}\nNumber: {number}",
    "certificate_not_found": "❌ No such certificate: the code is unknown or the certificate is no longer valid.",
    # --- evaluation ---
    "staffcmd_evaluasi": "Meeting evaluation results",
    "eval_head": "📝 <b>Evaluation: {meeting}</b>\nThank you for attending. Please rate the following statements: 1 = strongly disagree, 5 = strongly agree. Your answers are stored without your name.",
    "eval_recorded": "✓ Statement {number}: {score}",
    "eval_question": "<b>Statement {number} of {count}</b>\n{question}",
    "eval_comment_default": "Any suggestion or comment?",
    "eval_comment_prompt": "<b>{prompt}</b>\nType your comment as a message, or press Skip.",
    "eval_comment_busy": "<b>{prompt}</b>\nYou are in the middle of another step (such as a registration), so what you type now is read as an answer to it. Finish it first, then press Write a comment; or press Skip.",
    "eval_finish_step_first": "Finish the step in progress first (or /cancel).",
    "eval_thanks": "🙏 Thank you! Your evaluation of {meeting} is saved, without your name.",
    "eval_done": "This evaluation is finished already. Thank you!",
    "eval_comment_too_long": "The comment is too long ({length} characters; at most {limit}). Please shorten it and send it again, or press Skip.",
    "eval_comment_empty": "This comment is empty. Type your comment, or press Skip.",
    "btn_eval_skip": "Skip",
    "btn_eval_write": "Write a comment",
    "eval_decimal_point": ".",
    "eval_meeting_title": "📝 <b>Evaluation: {meeting}</b>\n{when}\nAnswers: {answers} of {asked} participants asked.",
    "eval_counts_only": "Fewer than {minimum} answers: counts only, so that no one's answer can be told apart.",
    "eval_average_line": "• {question}: <b>{average}</b> ({count} answers)",
    "eval_comments_head": "<b>Comments ({count})</b>",
    "eval_comments_none": "No comments.",
    "eval_comment_line": "• {comment}",
    "eval_none": "No evaluation for your meetings yet.",
    "eval_national_title": "📊 <b>National evaluation: {program}</b>\nAnswers: {answers} of {asked} participants asked, at {meetings} meetings.",
    "eval_national_pooled": "National average over {meetings} meetings with at least {minimum} answers ({answers} answers):",
    "eval_national_counts_only": "No national average yet: fewer than {minimum} answers at meetings whose averages are shown.",
    "eval_national_line": "• {meeting}: {answers}/{asked} answers, average {average}",
    "eval_national_line_counts": "• {meeting}: {answers}/{asked} answers (counts only)",
    "eval_choose_meeting": "Choose a meeting to see its details and comments (page {page}/{pages}):",
    "eval_export_caption": "Evaluation results (Excel), without participants' names.",
    "eval_sheet_summary": "Summary",
    "eval_sheet_comments": "Comments",
    "eval_column_meeting": "Meeting",
    "eval_column_date": "Date",
    "eval_column_asked": "Asked",
    "eval_column_answers": "Answers",
    "eval_column_note": "Note",
    "eval_column_comment": "Comment",
    "eval_note_counts_only": "fewer than {minimum} answers: counts only",
    "eval_national_row": "National (meetings with ≥{minimum} answers)",
    "mydata_evaluation": "<b>Evaluation: {meeting}</b>, asked {asked}: {state}",
    "mydata_evaluation_open": "{count} statements answered so far (kept with this registration until finished)",
    "mydata_evaluation_finished": "finished {date}; the answers are kept without your name and no longer linked to you",
    # --- check-in at the venue (personal codes, staff scan, online meetings) ---
    "checkin_code_caption": (
        "🎫 <b>Check-in code</b> · {meeting}\n{name}\n\nShow this to the committee at the door.\n{link}"
    ),
    "checkin_morning": (
        "📍 <b>Today: {meeting}</b>\n<b>Your role:</b> {role}\n<b>Time:</b> {when}\n<b>Venue:</b> {venue}"
    ),
    "checkin_morning_code": "Show the QR code below to the committee at the door to check in.",
    "online_link_line": "🔗 <b>Online meeting link:</b> {url}",
    "checkin_morning_online": "To check in online, press <b>I am here</b> while the meeting is on (from {opens}).",
    "btn_online_check_in": "✅ I am here",
    "checkin_show_committee": (
        "🎫 This is a participant's check-in code. Show it to the committee at the door: "
        "attendance is recorded when the committee scans it."
    ),
    "checkin_unknown_code": (
        "❌ This check-in code is unknown or not for a meeting you manage. Nobody was checked in."
    ),
    "checkin_done": "✓ {name} · {role} · {count}/{seats} checked in",
    "checkin_done_correction": (
        "✓ {name} · {role} · {count}/{seats} checked in\n(recorded as a correction: the meeting has ended)"
    ),
    "checkin_already": "ℹ️ {name} was checked in on {when}. {count}/{seats} checked in.",
    "checkin_refused_cancelled": "❌ {name}'s registration for {meeting} was cancelled: not checked in.",
    "checkin_refused_waiting": "❌ {name} has no seat at {meeting} (waiting list): not checked in.",
    "checkin_refused_no_date": "❌ {meeting} has no date yet: check-in is not possible. {name} was not checked in.",
    "checkin_refused_too_early": (
        "❌ Check-in for {meeting} opens on the meeting's day ({when}). {name} was not checked in."
    ),
    "checkin_refused_too_late": "❌ {meeting} ended long ago: {name} can no longer be checked in.",
    "online_checked_in": "✅ Thank you, your attendance at <b>{meeting}</b> is recorded.",
    "online_already": "ℹ️ You were already checked in at <b>{meeting}</b> on {when}.",
    "online_too_early": "⏳ Check-in for <b>{meeting}</b> opens {opens}. Press <b>I am here</b> again then.",
    "online_too_early_short": "Check-in is not open yet.",
    "online_too_late": "<b>{meeting}</b> has ended: check-in can no longer be recorded.",
    "online_no_seat": "You have no seat at <b>{meeting}</b>: not checked in.",
    "online_no_date": "<b>{meeting}</b> has no date yet: check-in is not possible.",
    "venue_online": "online",
    # --- /datasaya: check-in and certificate ---
    "mydata_checked_in": "<b>Checked in:</b> {when}",
    "mydata_certificate": "<b>Certificate:</b> {number} (issued {date})",
    # --- an answer lost with a stopped instance ---
    "answer_lost": "Sorry, our answer to your last message may not have reached you. We did receive that message; there is no need to send it again.",
    "answer_lost_idle": "Sorry, our answer to your last message may not have reached you. We did receive that message; /status shows your registrations.",
    # --- /rekap_nasional: the current programs only; a chart in parts ---
    "report_national_left_out": (
        "ℹ️ {count} finished program(s) not shown (last meeting ended over 30 days ago). "
        "To see one: /rekap_nasional &lt;program code&gt;, e.g. <code>/rekap_nasional {example}</code>"
    ),
    "report_national_program": "Program: {program}",
    "report_national_unknown_program": (
        "No program has the code <code>{code}</code>. Send /rekap_nasional for the current programs, "
        "or /rekap_nasional &lt;program code&gt; with a code from the program file."
    ),
    "report_national_empty": "No listed meeting to recap.",
    "report_chart_title_part": "{title} ({part}/{parts})",
    "report_national_caption_part": "Chart part {part} of {parts}, emptiest first.",
}
