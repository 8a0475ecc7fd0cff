"""Retention: personal data goes when its purpose has ended, and not before."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.conversation import load_conversation
from models.participant import CONSENT_TEXT_VERSION, Participant, record_consent
from models.personal_data import erase_person, personal_record, purge_expired
from models.registration import Registration
from models.seats import cancel, register
from models.staff import PicAssignment, create_invite, grant_from_registration, redeem_invite
from tests.models.factories import T0, load_shipped_program, make_participant, meeting_and_role


async def test_details_are_kept_until_retention_after_the_last_meeting(sessions) -> None:
    async with sessions() as s, s.begin():
        await load_shipped_program(s)
        bengkulu, role = await meeting_and_role(s, "shm23-bengkulu", "stakeholder")
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "stakeholder")
        only_past, also_undated, cancelled = [await make_participant(s, n) for n in range(3)]
        await register(s, participant=only_past, meeting=bengkulu, role=role, now=T0)
        await register(s, participant=also_undated, meeting=bengkulu, role=role, now=T0)
        await register(s, participant=also_undated, meeting=aceh, role=role, now=T0)
        gone = await register(s, participant=cancelled, meeting=bengkulu, role=role, now=T0)
        await cancel(s, gone.id, now=T0)
    ended = bengkulu.ends_at
    async with sessions() as s, s.begin():
        early = await purge_expired(s, now=ended + timedelta(days=29), retention_days=30)
        assert early.participants_erased == 0
    async with sessions() as s, s.begin():
        report = await purge_expired(s, now=ended + timedelta(days=31), retention_days=30)
        assert report.participants_erased == 2
    async with sessions() as s:
        left = list(await s.scalars(select(Participant)))
        assert [p.full_name for p in left] == ["Peserta 1"]
        assert {r.participant_id for r in await s.scalars(select(Registration))} == {left[0].id}


async def test_abandoned_drafts_are_cleared(sessions) -> None:
    async with sessions() as s, s.begin():
        draft = await load_conversation(s, 42, now=T0)
        draft.step, draft.full_name, draft.updated_at = "institution", "Siti", T0
        fresh = await load_conversation(s, 43, now=T0 + timedelta(days=20))
        fresh.step, fresh.full_name = "institution", "Budi"
    async with sessions() as s, s.begin():
        report = await purge_expired(s, now=T0 + timedelta(days=31), retention_days=365)
        assert report.drafts_cleared == 1
    async with sessions() as s:
        assert (await load_conversation(s, 42, now=T0)).full_name is None
        assert (await load_conversation(s, 43, now=T0)).full_name == "Budi"


async def test_erasing_a_pic_keeps_the_function_but_not_the_name(sessions) -> None:
    """A PIC made from their registration who erases their data stays PIC, unnamed."""
    async with sessions() as session, session.begin():
        await load_shipped_program(session)
        meeting, role = await meeting_and_role(session, "shm23-aceh", "fasilitator")
        person = await make_participant(session, 1)
        registration = await register(session, participant=person, meeting=meeting, role=role, now=T0)
        grant = await grant_from_registration(session, registration.id, granted_by=1, now=T0)
        assignment_id = grant.assignment.id
        assert grant.assignment.display_name == "Peserta 1"
    async with sessions() as session, session.begin():
        await erase_person(session, person.telegram_user_id, now=T0 + timedelta(hours=1))
    async with sessions() as session, session.begin():
        assignment = await session.get(PicAssignment, assignment_id)
        assert assignment is not None and assignment.revoked_at is None
        assert assignment.display_name is None
        assert await session.scalar(select(Participant).where(Participant.full_name == "Peserta 1")) is None


async def test_an_expired_participant_who_is_pic_loses_the_name_taken_from_the_registration(sessions) -> None:
    """The retention purge removes a registered name a PIC assignment copied; a Telegram name given with an invite stays."""
    async with sessions() as s, s.begin():
        await load_shipped_program(s)
        bengkulu, role = await meeting_and_role(s, "shm23-bengkulu", "fasilitator")
        by_registration, by_invite = [await make_participant(s, n) for n in range(2)]
        for person in (by_registration, by_invite):
            await register(s, participant=person, meeting=bengkulu, role=role, now=T0)
        registration = await s.scalar(select(Registration).where(Registration.participant_id == by_registration.id))
        named = (await grant_from_registration(s, registration.id, granted_by=1, now=T0)).assignment.id
        invite = await create_invite(s, meeting_id=bengkulu.id, created_by=1, now=T0)
        invited = (
            await redeem_invite(
                s,
                invite.token,
                telegram_user_id=by_invite.telegram_user_id,
                chat_id=by_invite.chat_id,
                display_name="Rahmat",
                now=T0,
            )
        ).assignment.id
    async with sessions() as s, s.begin():
        report = await purge_expired(s, now=bengkulu.ends_at + timedelta(days=31), retention_days=30)
        assert report.participants_erased == 2
    async with sessions() as s:
        assert (await s.get(PicAssignment, named)).display_name is None
        assert (await s.get(PicAssignment, invited)).display_name == "Rahmat"


async def test_the_personal_record_holds_everything_kept_about_the_person(sessions, program) -> None:
    import json

    from tests.models.factories import make_pic, seat

    async with sessions() as s, s.begin():
        ended = await seat(s, "shm23-bengkulu", "stakeholder", 1)
        await cancel(s, ended.id, now=T0)
        await seat(s, "shm23-aceh", "pemustaka", 1)
        await record_consent(s, 10_001, given=True, now=T0)
        await make_pic(s, "shm23-aceh", 10_001)
        draft = await load_conversation(s, 10_001, now=T0)
        draft.step, draft.full_name = "institution", "Siti Rahma"
    async with sessions() as s:
        record = await personal_record(s, 10_001)
        nobody = await personal_record(s, 99)
    kept = json.loads(json.dumps(record.as_json()))
    assert kept["telegram_user_id"] == 10_001 and kept["language"] == "id"
    assert [(r["meeting_code"], r["status"], r["full_name"]) for r in kept["registrations"]] == [
        ("shm23-bengkulu", "cancelled", "Peserta 1"),
        ("shm23-aceh", "seated", "Peserta 1"),
    ]
    assert kept["consents"] == [{"given": True, "decided_at": T0.isoformat(), "text_version": CONSENT_TEXT_VERSION}]
    assert [a["meeting_code"] for a in kept["pic_assignments"]] == ["shm23-aceh"]
    assert kept["draft_in_progress"] == {"full_name": "Siti Rahma"}
    assert kept["latest_details"]["phone_e164"] == "+628120000001"
    assert (nobody.participant, nobody.registrations, nobody.consents, nobody.draft) == (None, [], [], {})
