"""Bahasa Indonesia: the language every participant sees first."""

TEXTS: dict[str, str] = {
    # Consent (UU PDP): purpose, data, retention and rights, before any personal question.
    "consent": (
        "Selamat datang di <b>pendaftaran {program}</b>.\n\n"
        "Sebelum mendaftar, mohon baca cara kami menggunakan data Anda:\n"
        "• <b>Tujuan:</b> mendaftarkan Anda sebagai peserta, mengatur kuota kursi per peran, "
        "mengirim pengingat, dan menghubungi Anda tentang pertemuan ini.\n"
        "• <b>Data yang disimpan:</b> nama, instansi, jabatan, nomor telepon, peran dan "
        "pertemuan yang Anda pilih, serta ID Telegram Anda.\n"
        "• <b>Siapa yang melihat:</b> panitia Perpustakaan Nasional dan PIC provinsi "
        "pertemuan Anda.\n"
        "• <b>Lama penyimpanan:</b> paling lama {retention_days} hari setelah pertemuan "
        "selesai, lalu dihapus.\n"
        "• <b>Hak Anda</b> (UU No. 27 Tahun 2022): melihat data (/datasaya), memperbaiki "
        "data tanpa kehilangan kursi (/ubahdata), menarik persetujuan dan menghapus data (/hapusdata).\n\n"
        "Apakah Anda setuju data Anda digunakan untuk tujuan tersebut?"
    ),
    "consent_refused": (
        "Baik, tidak ada data Anda yang kami simpan. Pendaftaran memerlukan persetujuan ini; "
        "jika berubah pikiran, ketik /start."
    ),
    "consent_given": "Terima kasih, persetujuan Anda tercatat.",
    # Meeting and role choice.
    "choose_meeting": "Pilih pertemuan yang akan Anda ikuti (halaman {page}/{pages}):",
    "no_open_meetings": "Saat ini tidak ada pertemuan yang membuka pendaftaran.",
    "meeting_closed": "Pendaftaran untuk <b>{meeting}</b> sudah ditutup. Silakan pilih pertemuan lain.",
    "unknown_meeting_link": "Tautan pertemuan tidak dikenali. Silakan pilih dari daftar.",
    "choose_role": "<b>{meeting}</b>\n{when}\n\nPilih peran Anda (kursi tersisa ditampilkan):",
    "role_full_notice": (
        "Peran <b>{role}</b> sudah penuh. Jika Anda lanjutkan, Anda masuk daftar tunggu dan "
        "mendapat kursi bila ada yang membatalkan."
    ),
    "meetings_registered_note": "✅ menandai pertemuan yang sudah Anda daftari.",
    "reuse_offer": (
        "Pakai data dari pendaftaran Anda sebelumnya?\n\n{details}\n\n"
        "Anda masih dapat mengubah setiap bagian sebelum mengirim."
    ),
    "details_block": (
        "<b>Nama:</b> {name}\n<b>Instansi:</b> {institution}\n<b>Jabatan:</b> {position}\n<b>Nomor HP:</b> {phone}"
    ),
    # Details.
    "ask_name": "Ketik <b>nama lengkap</b> Anda (beserta gelar, bila ada):",
    "ask_institution": "Ketik nama <b>instansi</b> Anda:",
    "ask_position": "Ketik <b>jabatan</b> Anda:",
    "ask_phone": (
        "Kirim <b>nomor HP</b> Anda: tekan tombol «Bagikan nomor saya» di bawah, "
        "atau ketik nomornya (mis. 0812-3456-7890)."
    ),
    "current_value": "Saat ini: <i>{value}</i>",
    "phone_saved": "Nomor tersimpan: {phone}",
    # Why a typed answer was refused.
    "invalid_empty": "Jawaban tidak boleh kosong.",
    "invalid_too_short": "Jawaban terlalu pendek.",
    "invalid_too_long": "Jawaban terlalu panjang (paling banyak {max} karakter).",
    "invalid_no_letters": "Jawaban harus berisi huruf.",
    "invalid_invisible": "Jawaban tidak berisi huruf yang terlihat (hanya karakter kosong). Tulis dengan huruf biasa.",
    "invalid_invalid_phone": "Nomor telepon tidak valid. Contoh yang benar: 0812-3456-7890.",
    "invalid_not_mobile": "Mohon gunakan nomor HP (diawali 08 atau +628), bukan nomor kantor.",
    "not_text": "Mohon ketik jawaban sebagai teks; stiker, foto, suara, lokasi atau berkas tidak dapat dipakai di sini.",
    "use_buttons": "Silakan pilih dengan tombol pada pesan di bawah ini.",
    "contact_not_expected": "Nomor telepon belum diperlukan pada langkah ini.",
    # Summary and submission.
    "summary": (
        "Periksa data pendaftaran Anda:\n\n"
        "<b>Pertemuan:</b> {meeting}\n"
        "<b>Waktu:</b> {when}\n"
        "<b>Peran:</b> {role}\n"
        "<b>Nama:</b> {name}\n"
        "<b>Instansi:</b> {institution}\n"
        "<b>Jabatan:</b> {position}\n"
        "<b>Nomor HP:</b> {phone}\n\n"
        "{seat_note}"
    ),
    "summary_seat_free": "Kursi tersedia untuk peran ini. Tekan <b>Kirim</b> untuk mendaftar.",
    "summary_seat_full": "Peran ini penuh: dengan <b>Kirim</b> Anda masuk daftar tunggu.",
    "choose_field": "Bagian mana yang ingin Anda ubah?",
    "draft_discarded": "Pendaftaran dibatalkan. Data yang sudah Anda ketik telah dihapus.",
    "registered_seated": (
        "✅ <b>Pendaftaran berhasil.</b> Kursi Anda sudah tercatat.\n\n"
        "<b>Pertemuan:</b> {meeting}\n"
        "<b>Peran:</b> {role}\n"
        "<b>Waktu:</b> {when}\n"
        "<b>Tempat:</b> {venue}\n\n"
        "Ketik /status untuk melihat pendaftaran Anda atau /batal untuk membatalkannya."
    ),
    "registered_waitlisted": (
        "🕓 <b>Anda masuk daftar tunggu</b> nomor <b>{position}</b> untuk peran {role}.\n\n"
        "<b>Pertemuan:</b> {meeting}\n"
        "<b>Waktu:</b> {when}\n"
        "<b>Tempat:</b> {venue}\n\n"
        "Kami akan mengabari Anda begitu ada kursi kosong."
    ),
    "registration_closed": "Maaf, pendaftaran untuk <b>{meeting}</b> baru saja ditutup.",
    "already_registered": "Anda sudah terdaftar untuk <b>{meeting}</b>:",
    "already_submitted": "Pendaftaran Anda sudah terkirim.",
    "draft_incomplete": "Data pendaftaran belum lengkap; mari kita lengkapi.",
    # Status, cancellation, promotion.
    "status_none": "Anda belum terdaftar di pertemuan mana pun. Ketik /start untuk mendaftar.",
    "status_header": "Pendaftaran Anda:",
    "status_seated": "✅ <b>{meeting}</b>\n   {role} · kursi terkonfirmasi\n   {when}\n   {venue}",
    "status_finished_header": "<b>Pertemuan yang sudah dimulai:</b>",
    "status_finished": "🏁 <b>{meeting}</b> · sudah dimulai\n   {role} · {ending}\n   {when}",
    "status_ending_confirmed": "hadir (terkonfirmasi)",
    "status_ending_seated": "dapat kursi, kehadiran tidak dikonfirmasi",
    "status_ending_absent": "menjawab Tidak hadir",
    "status_ending_cancelled": "dibatalkan",
    "status_ending_no_seat": "tidak mendapat kursi (daftar tunggu)",
    "meeting_started": "<b>{meeting}</b> sudah dimulai: pendaftaran Anda di sana tidak dapat dibatalkan atau diubah lagi.",
    "status_waitlisted": "🕓 <b>{meeting}</b>\n   {role} · daftar tunggu nomor {position}\n   {when}\n   {venue}",
    "start_registered": "Anda sudah terdaftar. Untuk mendaftar ke pertemuan lain, tekan tombol di bawah.",
    "cancel_none": "Tidak ada pendaftaran yang dapat dibatalkan.",
    "cancel_choose": "Pendaftaran mana yang ingin dibatalkan?",
    "cancel_confirm": "Batalkan pendaftaran Anda untuk <b>{meeting}</b> ({role})? Kursi Anda akan diberikan kepada orang berikutnya di daftar tunggu.",
    "cancel_done": "Pendaftaran Anda untuk <b>{meeting}</b> telah dibatalkan.",
    "cancel_kept": "Baik, pendaftaran Anda tetap berlaku.",
    "promoted": (
        "🎉 <b>Kabar baik!</b> Ada kursi kosong dan kini Anda terdaftar sebagai peserta "
        "<b>{meeting}</b> ({role}).\n<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}"
    ),
    # Reminders, attendance and seat offers.
    "reminder": (
        "⏰ <b>Pengingat:</b> <b>{meeting}</b> dimulai {lead}.\n"
        "<b>Peran Anda:</b> {role}\n<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}\n\n"
        "Bila berhalangan, ketik /batal agar kursi Anda dapat dipakai orang lain."
    ),
    "lead_days": "{n} hari lagi",
    "lead_hours": "{n} jam lagi",
    "lead_minutes": "{n} menit lagi",
    "lead_day": "1 hari lagi",
    "lead_hour": "1 jam lagi",
    "lead_minute": "1 menit lagi",
    "attendance_question": (
        "📋 <b>Konfirmasi kehadiran</b>\nApakah Anda akan hadir di <b>{meeting}</b> sebagai {role}?\n"
        "<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}\n\n"
        "Bila tidak dapat hadir, kursi Anda akan ditawarkan kepada orang berikutnya di daftar tunggu."
    ),
    "attendance_nudge": (
        "📋 Kami belum menerima jawaban Anda. Apakah Anda akan hadir di <b>{meeting}</b> besok?\n"
        "<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}"
    ),
    "absence_confirm": (
        "Yakin tidak dapat hadir di <b>{meeting}</b>? Kursi Anda akan dilepas dan ditawarkan kepada "
        "orang berikutnya. Ini tidak dapat dibatalkan."
    ),
    "attendance_recorded": "Terima kasih, kehadiran Anda di <b>{meeting}</b> tercatat. Sampai jumpa!",
    "absence_recorded": "Terima kasih atas kabarnya. Kursi Anda di <b>{meeting}</b> telah dilepas.",
    "seat_offer": (
        "🎟️ <b>Ada kursi untuk Anda!</b> Satu kursi {role} di <b>{meeting}</b> kosong dan kami "
        "tawarkan kepada Anda.\n<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}\n\n"
        "Kursi ini kami tahan sampai <b>{deadline}</b>. Tekan <b>Ambil</b> bila Anda akan hadir, "
        "atau <b>Lepas</b> bila tidak (Anda keluar dari daftar tunggu)."
    ),
    "seat_taken": (
        "🎉 <b>Kursi Anda terkonfirmasi.</b>\n\n<b>Pertemuan:</b> {meeting}\n<b>Peran:</b> {role}\n"
        "<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}"
    ),
    "seat_released": "Baik, kursi di <b>{meeting}</b> diberikan kepada orang berikutnya dan Anda keluar dari daftar tunggu.",
    "seat_too_late": (
        "Maaf, kursi di <b>{meeting}</b> sudah tidak tersedia untuk Anda: waktu penawaran habis atau "
        "kursi sudah terisi. Anda tetap di daftar tunggu."
    ),
    "offer_lapsed": (
        "Waktu untuk mengambil kursi di <b>{meeting}</b> sudah habis, jadi kursi ditawarkan kepada "
        "orang berikutnya. Anda tetap di daftar tunggu. Bila Anda masih ingin hadir, tekan tombol di "
        "bawah: kursi yang masih kosong langsung menjadi milik Anda."
    ),
    "schedule_changed": (
        "📅 <b>Perubahan jadwal:</b> {meeting}\n<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}\n\n"
        "Ketik /status untuk melihat pendaftaran Anda."
    ),
    "calendar_caption": "📅 Simpan ke kalender Anda.",
    "calendar_title": "{program}: {meeting}",
    "calendar_description": "Peran: {role}",
    "status_offered": "🎟️ <b>{meeting}</b>\n   {role} · kursi ditawarkan, ambil sebelum {deadline}\n   {when}\n   {venue}",
    "attendance_confirmed_line": "   kehadiran terkonfirmasi",
    # Personal data rights.
    "mydata_none": "Kami tidak menyimpan data pribadi Anda, selain ID Telegram dan pilihan bahasa untuk percakapan ini.",
    "mydata_head": (
        "<b>Data yang kami simpan tentang Anda</b> (UU No. 27 Tahun 2022)\n\n"
        "<b>ID Telegram:</b> {telegram_id}\n<b>Bahasa percakapan:</b> {language}"
    ),
    "mydata_consent": "<b>Persetujuan:</b> {decision} pada {date}, teks persetujuan versi {version} ({count} keputusan tercatat)",
    "mydata_consent_given": "diberikan",
    "mydata_consent_withdrawn": "ditolak atau ditarik",
    "mydata_latest": "<b>Data terakhir yang Anda berikan</b> (ditawarkan untuk pendaftaran berikutnya; tercatat sejak {since}):\n{details}",
    "mydata_registration": "<b>Pendaftaran: {meeting}</b>\n<b>Peran:</b> {role} · {status}\n<b>Didaftarkan:</b> {registered}\n{details}",
    "mydata_status_seated": "kursi",
    "mydata_status_waitlisted": "daftar tunggu",
    "mydata_status_offered": "kursi ditawarkan",
    "mydata_status_cancelled": "dibatalkan",
    "mydata_pic": "<b>PIC:</b> {meeting}, sejak {since}",
    "mydata_pic_revoked": "<b>PIC (sudah dicabut):</b> {meeting}, sejak {since}",
    "mydata_draft": "<b>Sedang Anda isi:</b> {values}",
    "mydata_footer": (
        "Semua data ini juga ada di berkas terlampir (JSON). Untuk memperbaiki data: /ubahdata. "
        "Untuk menghapus semuanya: /hapusdata."
    ),
    "mydata_file_caption": "📎 Data Anda dalam satu berkas (JSON).",
    "fix_none": "Anda belum memiliki pendaftaran yang datanya dapat diperbaiki. Ketik /start untuk mendaftar.",
    "fix_choose": "Data pendaftaran mana yang ingin Anda perbaiki?",
    "fix_fields": (
        "Data Anda untuk <b>{meeting}</b>:\n\n{details}\n\n"
        "Bagian mana yang ingin Anda perbaiki? Kursi atau nomor tunggu Anda tidak berubah. "
        "Untuk berhenti: /cancel."
    ),
    "fix_saved": (
        "✅ Data Anda untuk <b>{meeting}</b> sudah diperbaiki:\n\n{details}\n\n"
        "PIC pertemuan ini melihat data yang baru. Untuk memperbaiki bagian lain, ketik /ubahdata lagi."
    ),
    "fix_gone": "Pendaftaran ini sudah tidak berlaku, jadi datanya tidak dapat diubah. Ketik /status untuk melihat pendaftaran Anda.",
    "erase_confirm": (
        "Hapus semua data pribadi Anda? Semua pendaftaran Anda dibatalkan; kursi pertemuan yang "
        "belum dimulai diberikan kepada daftar tunggu. Tindakan ini tidak dapat dibatalkan."
    ),
    "erase_done": "Data pribadi Anda telah dihapus dan persetujuan Anda ditarik. Terima kasih.",
    "erase_kept": "Baik, data Anda tidak dihapus.",
    # General.
    "help": (
        "<b>Bantuan</b>\n\n"
        "/start: mendaftar ke pertemuan\n"
        "/status: melihat pendaftaran Anda\n"
        "/batal: membatalkan pendaftaran\n"
        "/cancel: berhenti di tengah pendaftaran\n"
        "/datasaya: melihat data pribadi Anda\n"
        "/ubahdata: memperbaiki nama, instansi, jabatan atau nomor HP Anda\n"
        "/hapusdata: menghapus data pribadi Anda\n"
        "/bahasa: ganti bahasa (Indonesia/English)\n"
        "/bantuan: pesan ini"
    ),
    "resume": "Mari lanjutkan pendaftaran Anda.",
    "left_conversation": "Pendaftaran dihentikan. Data yang sudah Anda ketik telah dihapus. Ketik /start untuk memulai lagi.",
    "nothing_to_leave": "Tidak ada pendaftaran yang sedang berjalan.",
    "edit_not_read": "Pesan yang diubah tidak dibaca bot. Kirim jawabannya sebagai pesan baru.",
    "unknown_command": "Perintah tidak dikenal. Ketik /bantuan untuk melihat daftar perintah.",
    "idle_hint": "Ketik /start untuk mendaftar atau /bantuan untuk bantuan.",
    "choose_language": "Pilih bahasa / Choose a language:",
    "language_set": "Bahasa diatur ke Bahasa Indonesia.",
    "group_redirect": "Pendaftaran dilakukan lewat chat pribadi dengan bot ini, agar data Anda tidak terlihat di grup. Tekan tombol di bawah untuk memulai.",
    "program_unnamed": "Stakeholder Meeting",
    "stale_button": "Tombol ini sudah tidak berlaku.",
    "repeated_press": "Sudah diterima.",
    "pressed_choice": "<i>→ {choice}</i>",
    "language_switch_hint": "🌐 Ganti bahasa: /bahasa · Change language: /language",
    "error": "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi.",
    "slow_down": (
        "Pesan Anda datang terlalu cepat, jadi sebagian tidak saya proses. "
        "Tunggu sebentar, lalu kirim lagi yang Anda perlukan, satu pesan demi satu pesan."
    ),
    "date_tba": "jadwal menyusul",
    "venue_tba": "tempat menyusul",
    "at_time": "{date} pukul {time} {zone}",
    # Button labels (plain text, never parsed as HTML).
    "btn_agree": "✅ Setuju",
    "btn_disagree": "Tidak",
    "btn_prev": "« Sebelumnya",
    "btn_next": "Berikutnya »",
    "btn_meeting": "{province} · {date}",
    "btn_meeting_wave": "Gel. {wave} · {province} · {date}",
    "btn_role": "{role} · sisa {left}/{seats}",
    "btn_role_full": "{role} · penuh (daftar tunggu)",
    "btn_meeting_registered": "✅ {meeting}",
    "btn_reuse_details": "✅ Pakai data ini",
    "btn_new_details": "✏️ Isi data baru",
    "btn_submit": "✅ Kirim",
    "btn_edit": "✏️ Ubah",
    "btn_discard": "❌ Batal",
    "btn_field_meeting": "Pertemuan",
    "btn_field_role": "Peran",
    "btn_field_name": "Nama",
    "btn_field_institution": "Instansi",
    "btn_field_position": "Jabatan",
    "btn_field_phone": "Nomor HP",
    "btn_back": "« Kembali",
    "btn_share_phone": "📱 Bagikan nomor saya",
    "btn_register_more": "➕ Daftar pertemuan lain",
    "btn_cancel_registration": "Batalkan: {meeting}",
    "btn_confirm_cancel": "Ya, batalkan",
    "btn_keep": "Tidak",
    "btn_private_chat": "Daftar lewat chat pribadi",
    # Each language is offered under its own name.
    "btn_language_name": "Bahasa Indonesia",
    "btn_attend": "✅ Hadir",
    "btn_absent": "❌ Tidak hadir",
    "btn_confirm_absent": "Ya, saya tidak hadir",
    "btn_take_seat": "✅ Ambil",
    "btn_release_seat": "Lepas",
    "btn_take_free_seat": "Ambil kursi bila masih ada",
    "btn_fix_pick": "{meeting} · {role}",
    "btn_confirm_erase": "Ya, hapus data saya",
    # Descriptions in Telegram's command menu (plain text).
    "cmd_start": "Daftar ke pertemuan",
    "cmd_status": "Lihat pendaftaran saya",
    "cmd_batal": "Batalkan pendaftaran",
    "cmd_cancel": "Berhenti di tengah pendaftaran",
    "cmd_datasaya": "Lihat data pribadi saya",
    "cmd_ubahdata": "Perbaiki data saya",
    "cmd_hapusdata": "Hapus data pribadi saya",
    "cmd_bahasa": "Ganti bahasa",
    "cmd_bantuan": "Bantuan",
    # ---- Staff (PICs and organizers). Each feature adds its keys in its own block below.
    "staff_not_allowed": "Maaf, perintah ini hanya untuk panitia dan PIC pertemuan yang bersangkutan.",
    "staff_only": "Maaf, perintah ini hanya untuk panitia dan PIC pertemuan. Perintah yang dapat Anda pakai:\n{commands}",
    "staff_admin_only": "Maaf, perintah ini hanya untuk panitia. Sebagai PIC Anda dapat memakai:\n{commands}",
    "help_staff": "<b>Perintah PIC</b>\n{commands}",
    "help_admin": "<b>Perintah panitia</b>\n{commands}",
    "staff_choose_meeting": "Pilih pertemuan (halaman {page}/{pages}):",
    # ---- PIC management (/pic, invite links, staff command menus)
    "staffcmd_rekap": "Rekap kuota pertemuan",
    "staffcmd_peserta": "Daftar peserta pertemuan",
    "staffcmd_ekspor": "Ekspor daftar peserta",
    "staffcmd_umumkan": "Kirim pengumuman ke peserta",
    "staffcmd_ubah": "Ubah daftar peserta",
    "admincmd_rekap_nasional": "Rekap nasional semua provinsi",
    "admincmd_ekspor_semua": "Ekspor peserta semua pertemuan",
    "admincmd_pic": "Kelola PIC pertemuan",
    "pic_panel_title": "<b>PIC {meeting}</b>",
    "pic_panel_no_pics": "Belum ada PIC.",
    "pic_panel_pics": "PIC aktif:",
    "pic_panel_pic": "• {name} — sejak {since}, {via}",
    "pic_via_invite": "lewat tautan undangan",
    "pic_via_registration": "dari pendaftaran {role}",
    "pic_panel_invites": "Tautan undangan yang belum dipakai:",
    "pic_panel_invite": "{number}. berlaku sampai {until}",
    "pic_panel_invite_lasting": "{number}. tanpa batas waktu",
    "pic_panel_candidates": "Pendaftar {role} yang belum menjadi PIC:",
    "pic_facilitator_fallback": "pendaftar",
    "pic_panel_candidate": "• {name}",
    "pic_panel_hint": "Tekan tombol di bawah untuk membuat tautan undangan, menjadikan pendaftar {role} PIC, atau mencabut PIC.",
    "pic_invite_link": (
        "Tautan undangan PIC untuk <b>{meeting}</b>, sekali pakai, berlaku sampai {until}:\n{link}\n\n"
        "Kirimkan hanya kepada calon PIC: orang pertama yang membukanya menjadi PIC pertemuan ini."
    ),
    "pic_welcome": "Anda sekarang PIC untuk <b>{meeting}</b>. Perintah yang dapat Anda pakai:\n{commands}",
    "pic_already": "Anda sudah menjadi PIC untuk <b>{meeting}</b>.",
    "pic_invite_unknown": "Tautan undangan PIC ini tidak dikenal. Mintalah tautan baru kepada panitia.",
    "pic_invite_used": "Tautan undangan PIC ini sudah dipakai. Setiap tautan hanya berlaku sekali; mintalah tautan baru kepada panitia.",
    "pic_invite_revoked": "Tautan undangan PIC ini sudah dibatalkan oleh panitia.",
    "pic_invite_expired": "Tautan undangan PIC ini sudah kedaluwarsa. Mintalah tautan baru kepada panitia.",
    "pic_granted_done": "{name} sekarang PIC untuk <b>{meeting}</b>.",
    "pic_grant_already": "{name} sudah menjadi PIC untuk <b>{meeting}</b>.",
    "pic_grant_not_eligible": "Pendaftaran ini tidak (lagi) dapat dijadikan PIC.",
    "pic_revoked_done": "{name} tidak lagi menjadi PIC untuk <b>{meeting}</b>.",
    "pic_revoked_notice": "Anda tidak lagi menjadi PIC untuk <b>{meeting}</b>. Terima kasih atas bantuan Anda.",
    "pic_revoke_stale": "PIC ini sudah dicabut sebelumnya.",
    "pic_name_erased": "PIC (data dihapus)",
    "pic_invite_withdrawn": "Tautan undangan dibatalkan.",
    "pic_invite_withdraw_stale": "Tautan undangan ini sudah dipakai atau dibatalkan.",
    "btn_pic_revoke": "Cabut: {name}",
    "pic_revoke_confirm": "Cabut <b>{name}</b> sebagai PIC <b>{meeting}</b>? Ia tidak lagi dapat melihat daftar peserta dan tidak lagi menerima pemberitahuan.",
    "btn_pic_revoke_yes": "Ya, cabut",
    "pic_invite_withdraw_confirm": "Batalkan tautan undangan PIC untuk <b>{meeting}</b>? Tautan itu tidak akan bisa dipakai lagi.",
    "btn_pic_invite_withdraw_yes": "Ya, batalkan tautan",
    "pic_invite_used_notice": "Tautan undangan Anda dipakai: {name} sekarang PIC untuk <b>{meeting}</b>.",
    "btn_pic_make": "Jadikan PIC: {name}",
    "btn_pic_invite": "Buat tautan undangan",
    "btn_pic_invite_withdraw": "Batalkan undangan {number}",
    # ---- announcements, roster changes, program upload
    "staff_step_left": "Dihentikan. Tidak ada yang diubah atau dikirim.",
    "finish_draft_first": "Anda sedang mengisi pendaftaran. Selesaikan dulu, atau tinggalkan dengan /cancel, lalu ulangi perintah tadi.",
    "announcement": "📢 <b>Pengumuman — {meeting}</b>\n\n{body}",
    "announce_ask": (
        "Ketik pengumuman untuk semua peserta <b>{meeting}</b> (paling banyak {max} karakter). "
        "Anda akan melihat pratinjaunya sebelum dikirim. Ketik /cancel untuk batal."
    ),
    "announce_empty": "Pengumuman tidak boleh kosong. Ketik teksnya, atau /cancel untuk batal.",
    "announce_too_long": "Pengumuman terlalu panjang (paling banyak {max} karakter). Persingkat lalu kirim lagi.",
    "announce_no_recipients": "Pertemuan ini belum punya peserta yang dapat dihubungi lewat Telegram.",
    "announce_preview": "Pratinjau: pesan di bawah ini akan diterima {recipients} peserta persis seperti ini.",
    "btn_announce_send": "📤 Kirim ke {n} peserta",
    "btn_announce_drop": "Batal",
    "announce_dropped": "Pengumuman dibatalkan; tidak ada yang dikirim.",
    "announce_already_sent": "Pengumuman ini sudah dikirim.",
    "announce_sending": "Sedang dikirim…",
    "announce_sending_notice": (
        "📤 Pengumuman sedang dikirim ke {recipients} peserta. Anda akan diberi tahu berapa yang menerimanya."
    ),
    "announce_report": (
        "📊 Pengumuman untuk <b>{meeting}</b> diterima oleh <b>{received} dari {recipients}</b> peserta "
        "({blocked} memblokir bot, {failed} gagal terkirim)."
    ),
    "btn_roster_person_seated": "{name} — {role}",
    "btn_roster_person_waiting": "⏳ {name} — {role}",
    "roster_empty": "Belum ada peserta di <b>{meeting}</b>.",
    "roster_pick_mv": "Pindah peran — pilih peserta <b>{meeting}</b> (halaman {page}/{pages}; ⏳ = daftar tunggu):",
    "roster_pick_rm": "Keluarkan peserta — pilih peserta <b>{meeting}</b> (halaman {page}/{pages}; ⏳ = daftar tunggu):",
    "roster_move_choose_role": "Pindahkan <b>{name}</b> (kini {role}) ke peran:",
    "roster_move_reason": (
        "Pindahkan <b>{name}</b> ke <b>{role}</b>. Ketik alasannya (wajib, dicatat di log audit); "
        "perubahan dilakukan begitu alasan terkirim. /cancel untuk batal."
    ),
    "roster_remove_reason": (
        "Keluarkan <b>{name}</b> ({role}) dari <b>{meeting}</b>? Ketik alasannya (wajib, dicatat di log audit); "
        "peserta dikeluarkan begitu alasan terkirim. /cancel untuk batal."
    ),
    "roster_add_ask": (
        "Tambah peserta <b>{meeting}</b> yang mendaftar lewat jalur lain (formulir kertas, telepon). "
        "Kirim datanya dalam satu pesan, empat baris:\n\nNama lengkap\nInstansi\nJabatan\nNomor HP\n\n"
        "/cancel untuk batal."
    ),
    "roster_add_four_lines": "Mohon kirim tepat empat baris: nama lengkap, instansi, jabatan, nomor HP.",
    "roster_add_bad_line": "Baris {line} belum benar:",
    "roster_add_choose_role": (
        "<b>Nama:</b> {name}\n<b>Instansi:</b> {institution}\n<b>Jabatan:</b> {position}\n<b>Nomor HP:</b> {phone}\n\n"
        "Pilih perannya. Dengan memilih, Anda menyatakan bahwa orang ini telah menyetujui pemakaian datanya "
        "untuk pendaftaran (di formulir atau lewat telepon), sesuai pemberitahuan privasi bot ini."
    ),
    "roster_add_reason": (
        "Tambahkan <b>{name}</b> sebagai <b>{role}</b>. Ketik alasannya (wajib, dicatat di log audit); "
        "peserta ditambahkan begitu alasan terkirim. /cancel untuk batal."
    ),
    "roster_role_full": (
        "Peran <b>{role}</b> sudah penuh ({taken} dari {seats} kursi terisi, {waiting} menunggu). "
        "Tidak ada yang diubah."
    ),
    "roster_not_found": "Pendaftaran itu sudah tidak aktif. Tidak ada yang diubah.",
    "roster_same_role": "Peserta sudah berada di peran itu. Tidak ada yang diubah.",
    "roster_unknown_role": "Peran itu tidak ada di pertemuan ini. Tidak ada yang diubah.",
    "roster_started": (
        "Pertemuan ini sudah dimulai, jadi tidak ada yang diubah. Sesudah dimulai, perubahan hanya dicatat "
        "sebagai koreksi: mulai lagi dengan /ubah dan ketik alasan koreksinya."
    ),
    "roster_correction_note": (
        "⚠️ <b>{meeting}</b> sudah dimulai. Perubahan ini dicatat sebagai <b>koreksi</b> daftar peserta: "
        "kursi tidak diteruskan ke daftar tunggu dan tidak ada pesan ke peserta. Alasan koreksi wajib dan "
        "dicatat di log audit."
    ),
    "btn_record_attend": "✅ Hadir: {name}",
    "btn_record_absent": "❌ Tidak hadir: {name}",
    "btn_confirm_staff_absent": "Ya, tidak hadir",
    "staff_absence_confirm": (
        "Catat <b>{name}</b> tidak hadir di <b>{meeting}</b>? Kursinya dilepas dan diberikan kepada orang "
        "berikutnya di daftar tunggu."
    ),
    "staff_attendance_kept": "Baik, tidak ada yang diubah.",
    "staff_attendance_recorded": "✅ <b>{name}</b> dicatat hadir di {meeting}. Tercatat di log audit.",
    "staff_absence_recorded": "✅ <b>{name}</b> dicatat tidak hadir di {meeting}; kursinya dilepas. Tercatat di log audit.",
    "staff_attendance_too_late": "<b>{meeting}</b> sudah dimulai: kehadiran tidak dapat dicatat lagi. Tidak ada yang diubah.",
    "roster_closed": "Pendaftaran pertemuan ini sudah ditutup. Tidak ada yang diubah.",
    "roster_moved": "✅ <b>{name}</b> kini terdaftar sebagai <b>{role}</b> di {meeting}. Tercatat di log audit.",
    "roster_removed": "✅ <b>{name}</b> ({role}) dikeluarkan dari {meeting}. Tercatat di log audit.",
    "roster_added_seated": "✅ <b>{name}</b> ditambahkan sebagai <b>{role}</b> di {meeting} dan mendapat kursi.",
    "roster_added_waiting": (
        "✅ <b>{name}</b> ditambahkan sebagai <b>{role}</b> di {meeting}; peran itu penuh, jadi ia masuk daftar tunggu."
    ),
    "roster_seat_given": "Kursi yang kosong diberikan kepada <b>{name}</b> dari daftar tunggu.",
    "roster_seat_offered": "Kursi yang kosong ditawarkan kepada <b>{name}</b> dari daftar tunggu.",
    "roster_moved_notice": (
        "ℹ️ Panitia mengubah peran Anda di <b>{meeting}</b> menjadi <b>{role}</b>. Kursi Anda tercatat.\n"
        "<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}"
    ),
    "roster_removed_notice": (
        "ℹ️ Panitia mengeluarkan Anda dari daftar peserta <b>{meeting}</b> ({role}). "
        "Jika ini keliru, hubungi PIC pertemuan Anda."
    ),
    "roster_menu": "Ubah daftar peserta <b>{meeting}</b>: setiap perubahan perlu alasan dan dicatat di log audit.",
    "btn_roster_menu_pindah": "🔀 Pindah peran",
    "btn_roster_menu_tambah": "➕ Tambah peserta",
    "btn_roster_menu_keluarkan": "➖ Keluarkan peserta",
    "program_not_yaml": "File program harus berupa file YAML (.yaml atau .yml).",
    "program_too_big": "File terlalu besar (paling besar {max_kb} KB).",
    "program_download_failed": "File tidak dapat diunduh dari Telegram. Coba kirim lagi.",
    "program_invalid": "❌ File program tidak dimuat; tidak ada yang berubah.\n\n<pre>{problems}</pre>",
    "program_confirm": (
        "⚠️ File program <b>{program}</b> mengubah pertemuan yang sudah ada pendaftarnya:\n\n{risks}\n\n"
        "Belum ada yang berubah. Terapkan file ini?"
    ),
    "program_confirm_changed": "Sejak file ini dikirim, pendaftaran berubah. Periksa lagi sebelum menerapkan.",
    "program_risk_hidden": "• <b>{code}</b> disembunyikan: {registrations} pendaftaran",
    "program_risk_moved": "• <b>{code}</b> pindah tanggal {before} → {after}: {seated} peserta akan diberi tahu",
    "program_risk_more": "• … dan {count} perubahan lain",
    "btn_program_apply": "✅ Terapkan",
    "btn_program_drop": "Batal",
    "program_confirm_stale": "Konfirmasi ini sudah tidak berlaku (ada file yang lebih baru, atau sudah diputuskan).",
    "program_dropped": "File program tidak diterapkan; tidak ada yang berubah.",
    "program_loaded": (
        "✅ Program <b>{program}</b> dimuat: {created} pertemuan baru, {updated} diperbarui, {unchanged} tetap, "
        "{unlisted} disembunyikan ({unlisted_codes}). {notified} orang akan diberi tahu perubahan tanggal atau tempat."
    ),
    # ---- Reports (/rekap, /peserta, /ekspor, /rekap_nasional, /ekspor_semua)
    "report_recap": "<b>Rekap {meeting}</b>\n{when}\n\n<pre>{table}</pre>\n{legend}\n\n{risk}",
    "report_recap_columns": "Kuota|Isi|Hadir|Tunggu|Tawar|Sisa",
    "report_recap_total": "TOTAL",
    "report_recap_legend": (
        "Isi = dapat kursi; Hadir = sudah menyatakan hadir; Tunggu = daftar tunggu; "
        "Tawar = kursi sedang ditawarkan; Sisa = kursi kosong."
    ),
    "report_risk_none": "Tidak ada peran yang tertinggal.",
    "report_risk_roles": "⚠️ Berisiko: peran {roles} masih kurang peserta.",
    "report_roster_head": "<b>Peserta {meeting}</b> · {count} orang · halaman {page}/{pages}",
    "report_roster_role": "\n<u>{role}</u>",
    "report_roster_line": "{number}. <b>{name}</b> — {institution}, {position} · {phone} · {status}",
    "report_status_seated": "Dapat kursi",
    "report_status_offered": "Ditawari kursi",
    "report_status_waitlisted": "Daftar tunggu",
    "report_attendance_yes": "Hadir",
    "report_attendance_no": "Tidak hadir",
    "report_attendance_none": "Belum menjawab",
    "report_attendance_by_hand": "Belum dicatat PIC",
    "report_waiting_place": "Daftar tunggu no. {place}",
    "report_column_meeting": "Pertemuan",
    "report_column_name": "Nama",
    "report_column_institution": "Instansi",
    "report_column_position": "Jabatan",
    "report_column_phone": "Nomor HP",
    "report_column_role": "Peran",
    "report_column_status": "Status",
    "report_column_waitlist_position": "No. tunggu",
    "report_column_attendance": "Konfirmasi",
    "report_column_registered_at": "Waktu daftar (waktu setempat)",
    "report_sheet_title": "Peserta",
    "report_export_ready": (
        "Daftar peserta {meeting}: {count} orang, sebagai Excel dan CSV.\n"
        "Berisi data pribadi: simpan dengan aman dan jangan dibagikan."
    ),
    "report_export_all": "seluruh program",
    "report_export_xlsx": "Excel",
    "report_export_csv": "CSV (UTF-8, pemisah titik koma)",
    "report_national": "<b>Rekap nasional</b> · {meetings} pertemuan · {taken}/{seats} kursi terisi\n\n<pre>{table}</pre>\n{risk}",
    "report_national_columns": "Provinsi|Isi|Tunggu|",
    "report_national_risk": "⚠️ Berisiko ({count}): {meetings}",
    "report_national_caption": (
        "Kursi terisi per provinsi, yang paling kosong di atas: biru = terisi, "
        "merah dan (!) = berisiko, abu-abu = kosong."
    ),
    "report_chart_title": "Kursi terisi per provinsi",
    "report_chart_totals": "{taken}/{seats} kursi terisi · {at_risk} berisiko · paling kosong di atas",
    "report_chart_legend_taken": "terisi",
    "report_chart_legend_at_risk": "{marker} berisiko",
    "report_chart_legend_free": "kosong",
    "report_chart_at_risk_marker": "(!)",
    # ---- alerts (PIC digests, organizers' national digest)
    "alerts_title": "🔔 <b>Pemberitahuan kuota: {meeting}</b>\n{when}",
    "alerts_more": "… dan {count} pemberitahuan lain.",
    "alerts_erased": "(data dihapus)",
    "alerts_more_names": "dan {count} lainnya",
    "alerts_role_fill": "{role} {taken}/{seats}",
    "alerts_unconfirmed": "⏰ <b>Pertemuan {lead}</b>: {count} peserta belum menjawab Hadir / Tidak hadir: {names}.",
    "alerts_lagging": "⚠️ <b>Pendaftaran tertinggal</b>, {lead}: {roles}.",
    "alerts_threshold": "📈 {role} sudah terisi {taken} dari {seats} kursi.",
    "alerts_full": "✅ {role} penuh ({taken}/{seats}).",
    "alerts_cause_cancelled": "{name} membatalkan kursi {role}",
    "alerts_cause_absent": "{name} menjawab Tidak hadir ({role})",
    "alerts_cause_lapsed": "Tawaran kursi {role} untuk {name} habis waktunya",
    "alerts_cause_moved": "{name} dipindahkan dari {role}",
    "alerts_cause_released": "{name} melepas tawaran kursi {role}",
    "alerts_cause_removed": "{name} dikeluarkan dari {role} oleh panitia/PIC",
    "alerts_fate_promoted": "🔄 {cause}; kursi diberikan kepada {name} dari daftar tunggu.",
    "alerts_fate_offered": "🔄 {cause}; kursi ditawarkan kepada {name} (menunggu jawaban).",
    "alerts_fate_vacant": "🔄 {cause}; tidak ada yang menunggu, kursi kosong ({taken}/{seats}).",
    "alerts_fate_vacant_refilled": "🔄 {cause}; tidak ada yang menunggu saat itu; kini terisi lagi ({taken}/{seats}).",
    "alerts_fate_offered_taken": "🔄 {cause}; kursi ditawarkan kepada {name}, yang sudah mengambilnya ({taken}/{seats}).",
    "alerts_fate_offered_passed": "🔄 {cause}; kursi ditawarkan kepada {name}, yang tidak mengambilnya.",
    "alerts_pic_appointed": "ℹ️ Pemberitahuan ini terkumpul sebelum pertemuan ini punya PIC; yang berikutnya dikirim kepada PIC.",
    "alerts_no_pic": "ℹ️ Pertemuan ini belum punya PIC: pemberitahuannya dikirim kepada panitia sampai PIC ditunjuk (/pic).",
    "alerts_waitlist": "⏳ Daftar tunggu {role} bertambah {added} orang ({names}); kini {waiting} menunggu.",
    "alerts_unrecorded_by_hand": "✍️ {count} peserta yang ditambahkan PIC belum dicatat kehadirannya: {names}. Catat di /peserta.",
    "alerts_unreachable": "🚫 {count} peserta memblokir bot dan tidak dapat dihubungi: {names}.",
    "alerts_corrected": "✏️ {count} peserta memperbaiki datanya (nama, instansi, jabatan atau nomor HP): {names}. Lihat /peserta.",
    "national_title": "📊 <b>Ringkasan nasional</b>, {date}",
    "national_at_risk": "<b>Berisiko ({count})</b>",
    "national_none_at_risk": "Tidak ada pertemuan yang berisiko.",
    "national_risk_line": "• {meeting}, {date}: {roles}",
    "national_others": "<b>Lainnya</b>",
    "national_line": "• {meeting}, {date}: {taken}/{seats} kursi, {waiting} menunggu",
    "national_more": "… dan {count} pertemuan lain.",
    "national_totals": "<b>Total</b> {meetings} pertemuan: {taken}/{seats} kursi terisi, {waiting} menunggu, {at_risk} berisiko.",
    # --- self check-in (projector code), check-in from the roster, not-checked-in alert ---
    "staffcmd_checkin": "Kode absen untuk layar proyektor",
    "staffcmd_catathadir": "Catat kehadiran peserta",
    "projector_no_meeting_today": (
        "Tidak ada pertemuan Anda hari ini. Kode absen untuk proyektor hanya tersedia pada hari pertemuan."
    ),
    "projector_choose": "Hari ini ada beberapa pertemuan Anda. Kode absen pertemuan mana yang ditampilkan?",
    "projector_no_date": "Jadwal <b>{meeting}</b> belum ditetapkan: belum ada kode absen.",
    "projector_too_early": ("Absen mandiri <b>{meeting}</b> belum dibuka. Kode absen dapat ditampilkan mulai {opens}."),
    "projector_over": "Absen mandiri <b>{meeting}</b> sudah ditutup ({ended}). Catat yang terlambat dengan /catathadir.",
    "projector_code": (
        "📽 <b>Kode absen {meeting}</b>\n"
        "Tampilkan gambar di bawah ini di layar proyektor. Peserta yang punya kursi memindainya dengan kamera "
        "ponsel dan langsung tercatat hadir.\n\n"
        "Kode berganti setiap 10 menit (berikutnya pukul {replaced}); tekan <b>Perbarui</b> untuk kode terbaru. "
        "Absen mandiri ditutup pukul {ends}."
    ),
    "projector_caption": '<a href="{link}">Pindai untuk absen</a> · {meeting} · berlaku sampai pukul {until}',
    "btn_projector_refresh": "🔄 Perbarui",
    "self_checkin_forged": (
        "Kode absen ini tidak dikenali. Pindai kode QR yang tampil di layar pertemuan dengan kamera ponsel Anda."
    ),
    "self_checkin_expired": (
        "Kode absen ini sudah kedaluwarsa: kode di layar berganti setiap 10 menit. "
        "Pindai kode yang tampil di layar sekarang."
    ),
    "self_checkin_not_registered": (
        "Anda tidak terdaftar sebagai peserta <b>{meeting}</b>, jadi kehadiran Anda tidak dapat dicatat. "
        "Silakan lapor ke panitia di meja registrasi."
    ),
    "self_checkin_waiting": (
        "Anda belum mendapat kursi di <b>{meeting}</b> (masih di daftar tunggu), jadi kehadiran Anda tidak dapat "
        "dicatat. Silakan lapor ke panitia di meja registrasi."
    ),
    "self_checkin_cancelled": (
        "Pendaftaran Anda di <b>{meeting}</b> sudah dibatalkan, jadi kehadiran Anda tidak dapat dicatat. "
        "Silakan lapor ke panitia di meja registrasi."
    ),
    "self_checkin_no_date": "Jadwal <b>{meeting}</b> belum ditetapkan: absen belum dapat dicatat.",
    "self_checkin_too_early": "Absen mandiri <b>{meeting}</b> belum dibuka; dibuka mulai {opens}.",
    "self_checkin_too_late": (
        "Absen mandiri <b>{meeting}</b> sudah ditutup ({ended}). Silakan lapor ke panitia, yang dapat mencatat "
        "kehadiran Anda."
    ),
    "self_checkin_checked_in": (
        "✅ Terima kasih, <b>{name}</b>! Kehadiran Anda di <b>{meeting}</b> ({role}) tercatat pukul {time}."
    ),
    "self_checkin_already": "Anda sudah tercatat hadir di <b>{meeting}</b> pukul {time}. Tidak perlu absen lagi.",
    "checkin_roster_none": (
        "Tidak ada pertemuan Anda yang dapat dicatat kehadirannya sekarang. Pencatatan dibuka pada hari pertemuan "
        "(mulai pukul 00.00 waktu setempat) dan dapat dikoreksi sampai 30 hari setelah pertemuan selesai."
    ),
    "checkin_roster_choose": "Catat kehadiran: pilih pertemuan (halaman {page}/{pages}):",
    "checkin_roster_empty": "Belum ada peserta yang mendapat kursi di <b>{meeting}</b>.",
    "checkin_roster_head": (
        "<b>Catat hadir {meeting}</b> · {checked}/{seated} hadir · halaman {page}/{pages}\n"
        "Ketuk nama peserta yang datang untuk mencatat kehadirannya.\n"
    ),
    "checkin_roster_line_in": "{number}. ✓ <b>{name}</b> — {role} · hadir {time}",
    "checkin_roster_line_out": "{number}. <b>{name}</b> — {role} · belum hadir",
    "checkin_roster_correction": (
        "\nℹ️ Pertemuan ini sudah selesai: kehadiran yang dicatat sekarang adalah koreksi dan ditulis di log audit."
    ),
    "checkin_roster_too_early": "Kehadiran di <b>{meeting}</b> dapat dicatat mulai {opens}.",
    "checkin_roster_too_late": "Kehadiran di <b>{meeting}</b> tidak dapat dicatat lagi: batas koreksi {closed}.",
    "checkin_roster_no_date": "Jadwal <b>{meeting}</b> belum ditetapkan: kehadiran belum dapat dicatat.",
    "btn_checkin_in": "✓ {number}. {name} · {time}",
    "btn_checkin_out": "{number}. {name}",
    "checkin_tap_done": "✓ {name} · {role} · {checked}/{seats} hadir",
    "checkin_tap_already": "{name} sudah tercatat hadir pukul {time}.",
    "checkin_tap_not_seated": "{name} tidak lagi memegang kursi: kehadiran tidak dicatat.",
    "report_column_checked_in": "Hadir",
    "report_checked_in_at": "hadir {time}",
    "report_recap_check_in": "✅ Kehadiran: {checked} dari {seated} peserta berkursi tercatat hadir, {missing} belum.",
    "not_checked_in_alert": (
        "🕙 <b>Belum hadir: {meeting}</b>\n"
        "Satu jam setelah mulai, {missing} dari {seated} peserta berkursi belum tercatat hadir ({checked} hadir):\n"
    ),
    "not_checked_in_line": "{number}. <b>{name}</b> — {institution} ({role})",
    "not_checked_in_hint": "\nCatat yang datang dengan /catathadir, atau tampilkan kode absen dengan /checkin.",
    "not_checked_in_no_pic": "ℹ️ Pertemuan ini belum punya PIC: pemberitahuan ini dikirim kepada panitia (/pic).",
    # --- daftar hadir (signed attendance list) ---
    "staffcmd_daftarhadir": "Daftar hadir pertemuan (PDF untuk ditandatangani)",
    "daftarhadir_choose": "Pilih pertemuan untuk daftar hadir (halaman {page}/{pages}):",
    "btn_daftarhadir_meeting": "{meeting} · {date}",
    "daftarhadir_none_dated": "Belum ada pertemuan berjadwal yang dapat Anda kelola: daftar hadir dibuat untuk pertemuan yang sudah punya tanggal.",
    "daftarhadir_no_date": "Pertemuan <b>{meeting}</b> belum punya tanggal: daftar hadirnya dapat dibuat setelah jadwalnya ditetapkan.",
    "daftarhadir_ready": "📄 Daftar hadir <b>{meeting}</b>: {seated} peserta berkursi, {checked_in} sudah hadir (di urutan atas, dengan jam hadirnya), lalu baris kosong untuk peserta tambahan.",
    "daftarhadir_caption": "Daftar hadir (PDF A4, siap dicetak dan ditandatangani)",
    "daftarhadir_pdf_title": "DAFTAR HADIR",
    "daftarhadir_pdf_meeting": "Pertemuan",
    "daftarhadir_pdf_date": "Hari, tanggal",
    "daftarhadir_pdf_venue": "Tempat",
    "daftarhadir_pdf_online": "Tautan daring",
    "daftarhadir_pdf_columns": "No|Nama|Instansi|Jabatan|Tanda Tangan",
    "daftarhadir_pdf_checked_in": "Hadir {time}",
    "daftarhadir_pdf_page": "Halaman {page} dari {pages}",
    "daftarhadir_pdf_place_date": "{place}, {date}",
    # --- certificates ---
    "certificate_message": "🎓 Terima kasih telah hadir di {meeting}. Ini <b>e-sertifikat</b> Anda.",
    "certificate_caption": "E-sertifikat nomor {number}",
    "certificate_filename": "sertifikat-{number}.pdf",
    "certificate_pdf_title": "SERTIFIKAT",
    "certificate_pdf_text": "diberikan kepada",
    "certificate_pdf_role_text": "atas partisipasinya sebagai {role} dalam",
    "certificate_pdf_meeting": "{program}, {meeting}",
    "certificate_pdf_number": "Nomor: {number}",
    "certificate_pdf_place_date": "{city}, {date}",
    "certificate_pdf_signer_title": "Ketua Panitia",
    "certificate_pdf_check": "Pindai kode QR ini untuk memeriksa keaslian sertifikat.",
    "certificate_genuine": "✅ <b>Sertifikat asli</b>\nNama: {name}\nPertemuan: {meeting}\nTanggal: {when}\nNomor: {number}",
    "certificate_not_found": "❌ Sertifikat tidak ditemukan: kodenya tidak dikenal atau sertifikat itu tidak berlaku lagi.",
    # --- evaluation ---
    "staffcmd_evaluasi": "Hasil evaluasi pertemuan",
    "eval_head": "📝 <b>Evaluasi: {meeting}</b>\nTerima kasih telah hadir. Mohon nilai pernyataan berikut: 1 = sangat tidak setuju, 5 = sangat setuju. Jawaban Anda disimpan tanpa nama.",
    "eval_recorded": "✓ Pernyataan {number}: {score}",
    "eval_question": "<b>Pernyataan {number} dari {count}</b>\n{question}",
    "eval_comment_default": "Ada saran atau komentar?",
    "eval_comment_prompt": "<b>{prompt}</b>\nKetik komentar Anda sebagai pesan, atau tekan Lewati.",
    "eval_comment_busy": "<b>{prompt}</b>\nAnda sedang di tengah langkah lain (misalnya pendaftaran), jadi yang Anda ketik sekarang dibaca sebagai jawaban langkah itu. Selesaikan dulu, lalu tekan Tulis komentar; atau tekan Lewati.",
    "eval_finish_step_first": "Selesaikan dulu langkah yang sedang berjalan (atau /cancel).",
    "eval_thanks": "🙏 Terima kasih! Evaluasi Anda untuk {meeting} sudah tersimpan, tanpa nama.",
    "eval_done": "Evaluasi ini sudah selesai. Terima kasih!",
    "eval_comment_too_long": "Komentar terlalu panjang ({length} karakter; paling banyak {limit}). Mohon persingkat dan kirim lagi, atau tekan Lewati.",
    "eval_comment_empty": "Komentar ini kosong. Ketik komentar Anda, atau tekan Lewati.",
    "btn_eval_skip": "Lewati",
    "btn_eval_write": "Tulis komentar",
    "eval_decimal_point": ",",
    "eval_meeting_title": "📝 <b>Evaluasi: {meeting}</b>\n{when}\nJawaban: {answers} dari {asked} peserta yang diminta.",
    "eval_counts_only": "Kurang dari {minimum} jawaban: hanya jumlah yang ditampilkan, agar tidak ada jawaban yang dapat dikenali.",
    "eval_average_line": "• {question}: <b>{average}</b> ({count} jawaban)",
    "eval_comments_head": "<b>Komentar ({count})</b>",
    "eval_comments_none": "Tidak ada komentar.",
    "eval_comment_line": "• {comment}",
    "eval_none": "Belum ada evaluasi untuk pertemuan Anda.",
    "eval_national_title": "📊 <b>Evaluasi nasional: {program}</b>\nJawaban: {answers} dari {asked} peserta yang diminta, di {meetings} pertemuan.",
    "eval_national_pooled": "Rata-rata nasional dari {meetings} pertemuan dengan sedikitnya {minimum} jawaban ({answers} jawaban):",
    "eval_national_counts_only": "Belum ada rata-rata nasional: kurang dari {minimum} jawaban di pertemuan yang rata-ratanya ditampilkan.",
    "eval_national_line": "• {meeting}: {answers}/{asked} jawaban, rata-rata {average}",
    "eval_national_line_counts": "• {meeting}: {answers}/{asked} jawaban (hanya jumlah)",
    "eval_choose_meeting": "Pilih pertemuan untuk melihat rinciannya dan komentarnya (halaman {page}/{pages}):",
    "eval_export_caption": "Hasil evaluasi (Excel), tanpa nama peserta.",
    "eval_sheet_summary": "Ringkasan",
    "eval_sheet_comments": "Komentar",
    "eval_column_meeting": "Pertemuan",
    "eval_column_date": "Tanggal",
    "eval_column_asked": "Diminta",
    "eval_column_answers": "Jawaban",
    "eval_column_note": "Keterangan",
    "eval_column_comment": "Komentar",
    "eval_note_counts_only": "kurang dari {minimum} jawaban: hanya jumlah",
    "eval_national_row": "Nasional (pertemuan dengan ≥{minimum} jawaban)",
    "mydata_evaluation": "<b>Evaluasi: {meeting}</b>, diminta {asked}: {state}",
    "mydata_evaluation_open": "{count} pernyataan dijawab sejauh ini (disimpan bersama pendaftaran ini sampai selesai)",
    "mydata_evaluation_finished": "selesai {date}; jawabannya disimpan tanpa nama dan tidak lagi terkait dengan Anda",
    # --- check-in at the venue (personal codes, staff scan, online meetings) ---
    "checkin_code_caption": (
        "🎫 <b>Kode check-in</b> · {meeting}\n{name}\n\nTunjukkan kode ini kepada panitia di pintu masuk.\n{link}"
    ),
    "checkin_morning": (
        "📍 <b>Hari ini: {meeting}</b>\n<b>Peran Anda:</b> {role}\n<b>Waktu:</b> {when}\n<b>Tempat:</b> {venue}"
    ),
    "checkin_morning_code": "Tunjukkan kode QR di bawah ini kepada panitia di pintu masuk untuk check-in.",
    "online_link_line": "🔗 <b>Tautan pertemuan daring:</b> {url}",
    "checkin_morning_online": "Untuk check-in daring, tekan <b>Saya hadir</b> saat pertemuan berlangsung (mulai {opens}).",
    "btn_online_check_in": "✅ Saya hadir",
    "checkin_show_committee": (
        "🎫 Ini kode check-in peserta. Tunjukkan kode ini kepada panitia di pintu masuk: "
        "kehadiran dicatat saat panitia memindainya."
    ),
    "checkin_unknown_code": (
        "❌ Kode check-in ini tidak dikenal atau bukan untuk pertemuan yang Anda kelola. Tidak ada yang dicatat."
    ),
    "checkin_done": "✓ {name} · {role} · {count}/{seats} hadir",
    "checkin_done_correction": (
        "✓ {name} · {role} · {count}/{seats} hadir\n(dicatat sebagai koreksi: pertemuan sudah selesai)"
    ),
    "checkin_already": "ℹ️ {name} sudah check-in pada {when}. {count}/{seats} hadir.",
    "checkin_refused_cancelled": "❌ Pendaftaran {name} di {meeting} sudah dibatalkan: tidak dicatat hadir.",
    "checkin_refused_waiting": "❌ {name} tidak punya kursi di {meeting} (daftar tunggu): tidak dicatat hadir.",
    "checkin_refused_no_date": "❌ {meeting} belum punya tanggal: check-in belum dapat dilakukan. {name} belum dicatat.",
    "checkin_refused_too_early": (
        "❌ Check-in {meeting} baru dibuka pada hari pertemuan ({when}). {name} belum dicatat hadir."
    ),
    "checkin_refused_too_late": "❌ {meeting} sudah lama selesai: kehadiran {name} tidak dapat dicatat lagi.",
    "online_checked_in": "✅ Terima kasih, kehadiran Anda di <b>{meeting}</b> sudah tercatat.",
    "online_already": "ℹ️ Anda sudah tercatat hadir di <b>{meeting}</b> sejak {when}.",
    "online_too_early": "⏳ Check-in <b>{meeting}</b> dibuka {opens}. Tekan <b>Saya hadir</b> lagi pada waktu itu.",
    "online_too_early_short": "Check-in belum dibuka.",
    "online_too_late": "Pertemuan <b>{meeting}</b> sudah selesai: check-in tidak dapat dicatat lagi.",
    "online_no_seat": "Anda tidak punya kursi di <b>{meeting}</b>: check-in tidak dicatat.",
    "online_no_date": "<b>{meeting}</b> belum punya tanggal: check-in belum dapat dilakukan.",
    "venue_online": "daring",
    # --- /datasaya: check-in and certificate ---
    "mydata_checked_in": "<b>Hadir:</b> {when}",
    "mydata_certificate": "<b>Sertifikat:</b> {number} (terbit {date})",
    # --- an answer lost with a stopped instance ---
    "answer_lost": "Maaf, balasan kami untuk pesan terakhir Anda mungkin tidak sampai. Pesan itu sudah kami terima; tidak perlu dikirim lagi.",
    "answer_lost_idle": "Maaf, balasan kami untuk pesan terakhir Anda mungkin tidak sampai. Pesan itu sudah kami terima; /status menunjukkan pendaftaran Anda.",
    # --- /rekap_nasional: the current programs only; a chart in parts ---
    "report_national_left_out": (
        "ℹ️ {count} program selesai tidak ditampilkan (pertemuan terakhirnya lewat lebih dari 30 hari). "
        "Untuk melihatnya: /rekap_nasional &lt;kode program&gt;, misalnya <code>/rekap_nasional {example}</code>"
    ),
    "report_national_program": "Program: {program}",
    "report_national_unknown_program": (
        "Tidak ada program berkode <code>{code}</code>. Kirim /rekap_nasional untuk program yang berjalan, "
        "atau /rekap_nasional &lt;kode program&gt; dengan kode dari berkas program."
    ),
    "report_national_empty": "Tidak ada pertemuan terdaftar untuk direkap.",
    "report_chart_title_part": "{title} ({part}/{parts})",
    "report_national_caption_part": "Grafik bagian {part} dari {parts}, yang paling kosong lebih dulu.",
}
