"""Managing PICs: one-time invites, one-tap grants from a Fasilitator registration, revocation, audit."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.database import create_engine, session_factory
from models.audit import AuditEntry
from models.program import Meeting
from models.roster import add
from models.seats import cancel, register
from models.staff import (
    INVITE_PREFIX,
    InviteProblem,
    InviteRefused,
    NotFacilitator,
    PicAssignment,
    authority_of,
    create_invite,
    facilitators_not_pic,
    grant_from_registration,
    manageable_meetings,
    open_invites,
    pics_of,
    redeem_invite,
    revoke_invite,
    revoke_pic,
)
from tests.models.factories import T0, make_participant, meeting_and_role

ADMIN = 9_000
ALICE, BOB = 7_001, 7_002


async def audit_actions(session) -> list[tuple[str, dict]]:
    entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(e.action, e.details) for e in entries]


async def redeem(session, token: str, user: int, now=T0):
    return await redeem_invite(
        session, token, telegram_user_id=user, chat_id=user, display_name=f"User {user}", now=now
    )


async def test_an_invite_makes_its_first_opener_pic_once(sessions, program) -> None:
    async with sessions() as s, s.begin():
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        invite = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0)
        assert re.fullmatch(r"pic-[A-Za-z0-9_-]+", invite.token) and len(invite.token) <= 64
        assert invite.expires_at == T0 + timedelta(days=7)
        assert [i.id for i in await open_invites(s, aceh.id, T0)] == [invite.id]

        grant = await redeem(s, invite.token, ALICE, T0 + timedelta(hours=1))
        assert not grant.already and grant.assignment.granted_via == "invite"
        assert (await authority_of(s, ALICE, frozenset())).pic_meeting_ids == {aceh.id}
        assert await open_invites(s, aceh.id, T0) == []
        # The same person opening it again changes nothing; anyone else is refused.
        again = await redeem(s, invite.token, ALICE, T0 + timedelta(hours=2))
        assert again.already and again.assignment.id == grant.assignment.id
        with pytest.raises(InviteRefused) as refused:
            await redeem(s, invite.token, BOB)
        assert refused.value.problem is InviteProblem.USED
        assert not (await authority_of(s, BOB, frozenset())).is_staff
        assert [p.telegram_user_id for p in await pics_of(s, aceh.id)] == [ALICE]
        assert await audit_actions(s) == [
            ("pic_invite_created", {"invite_id": invite.id}),
            ("pic_granted", {"assignment_id": grant.assignment.id, "via": "invite", "invite_id": invite.id}),
        ]


async def test_unknown_revoked_and_expired_invites_are_refused(sessions, program) -> None:
    async with sessions() as s, s.begin():
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        expiring = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0, lifetime=timedelta(days=1))
        withdrawn = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0)
        lasting = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0, lifetime=None)
        assert await revoke_invite(s, withdrawn.id, revoked_by=ADMIN, now=T0) is not None
        assert await revoke_invite(s, withdrawn.id, revoked_by=ADMIN, now=T0) is None
        later = T0 + timedelta(days=1)
        problems = []
        for token in (INVITE_PREFIX + "nope", withdrawn.token, expiring.token):
            with pytest.raises(InviteRefused) as refused:
                await redeem(s, token, ALICE, later)
            problems.append(refused.value.problem)
        assert problems == [InviteProblem.UNKNOWN, InviteProblem.REVOKED, InviteProblem.EXPIRED]
        assert [i.id for i in await open_invites(s, aceh.id, later)] == [lasting.id]
        assert not (await authority_of(s, ALICE, frozenset())).is_staff
        # A used invite cannot be withdrawn.
        await redeem(s, lasting.token, ALICE, later)
        assert await revoke_invite(s, lasting.id, revoked_by=ADMIN, now=later) is None


async def test_an_invite_to_ones_own_meeting_is_left_for_someone_else(sessions, program) -> None:
    async with sessions() as s, s.begin():
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        first = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0)
        second = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0)
        granted = await redeem(s, first.token, ALICE)
        already = await redeem(s, second.token, ALICE)
        assert already.already and already.assignment.id == granted.assignment.id
        assert (await redeem(s, second.token, BOB)).assignment.telegram_user_id == BOB


async def test_revoking_ends_the_authority_and_a_used_link_does_not_restore_it(sessions, program) -> None:
    async with sessions() as s, s.begin():
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        bengkulu, _ = await meeting_and_role(s, "shm23-bengkulu", "fasilitator")
        invite = await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0)
        other = await create_invite(s, meeting_id=bengkulu.id, created_by=ADMIN, now=T0)
        grant = await redeem(s, invite.token, ALICE)
        await redeem(s, other.token, ALICE)
        later = T0 + timedelta(days=1)
        revoked = await revoke_pic(s, grant.assignment.id, revoked_by=ADMIN, now=later)
        assert revoked is not None and (revoked.revoked_at, revoked.revoked_by) == (later, ADMIN)
        assert await revoke_pic(s, grant.assignment.id, revoked_by=ADMIN, now=later) is None
        who = await authority_of(s, ALICE, frozenset())
        assert not who.may_manage(aceh.id) and who.may_manage(bengkulu.id)
        with pytest.raises(InviteRefused) as refused:
            await redeem(s, invite.token, ALICE, later)
        assert refused.value.problem is InviteProblem.USED
        assert ("pic_revoked", {"assignment_id": grant.assignment.id}) in await audit_actions(s)
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "pic_revoked"))
        assert (entry.actor_user_id, entry.meeting_id, entry.at) == (ADMIN, aceh.id, later)


async def test_a_fasilitator_registrant_is_made_pic_with_one_tap(sessions, program) -> None:
    async with sessions() as s, s.begin():
        aceh, fasilitator = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        _, stakeholder = await meeting_and_role(s, "shm23-aceh", "stakeholder")
        people = [await make_participant(s, n) for n in range(4)]
        regs = [
            await register(s, participant=people[n], meeting=aceh, role=role, now=T0 + timedelta(minutes=n))
            for n, role in enumerate((fasilitator, fasilitator, stakeholder, fasilitator))
        ]
        await cancel(s, regs[1].id, now=T0 + timedelta(hours=1))
        # Waitlisted Fasilitators are candidates too: they are the province's people on the ground.
        assert [r.id for r in await facilitators_not_pic(s, aceh.id)] == [regs[0].id, regs[3].id]

        grant = await grant_from_registration(s, regs[0].id, granted_by=ADMIN, now=T0)
        assert not grant.already
        assert (grant.assignment.telegram_user_id, grant.assignment.chat_id) == (
            people[0].telegram_user_id,
            people[0].chat_id,
        )
        assert (grant.assignment.display_name, grant.assignment.granted_via) == ("Peserta 0", "registration")
        assert (await grant_from_registration(s, regs[0].id, granted_by=ADMIN, now=T0)).already
        assert [r.id for r in await facilitators_not_pic(s, aceh.id)] == [regs[3].id]
        for not_eligible in (regs[1].id, regs[2].id, 999_999):
            with pytest.raises(NotFacilitator):
                await grant_from_registration(s, not_eligible, granted_by=ADMIN, now=T0)
        assert (
            await s.scalar(
                select(PicAssignment.id).where(
                    PicAssignment.telegram_user_id.in_([people[1].telegram_user_id, people[2].telegram_user_id])
                )
            )
            is None
        )
        assert (await audit_actions(s))[-1] == (
            "pic_granted",
            {"assignment_id": grant.assignment.id, "via": "registration", "registration_id": regs[0].id},
        )


async def test_a_fasilitator_added_by_hand_without_telegram_is_neither_offered_nor_made_pic(sessions, program) -> None:
    async with sessions() as s, s.begin():
        aceh, fasilitator = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        added = await add(
            s,
            meeting=aceh,
            role_id=fasilitator.id,
            full_name="Ibu Tanpa Telegram",
            institution="Dinas Perpustakaan",
            position="Pustakawan",
            phone_e164="+6281200000001",
            actor_user_id=ADMIN,
            reason="formulir kertas",
            now=T0,
        )
        # No PIC yet, so the not-yet-PIC filter compares with an empty list.
        assert await facilitators_not_pic(s, aceh.id) == []
        with pytest.raises(NotFacilitator):
            await grant_from_registration(s, added.id, granted_by=ADMIN, now=T0)
        assert await s.scalar(select(PicAssignment.id)) is None


async def test_of_many_people_opening_one_link_at_once_exactly_one_becomes_pic(engine, program) -> None:
    sessions = session_factory(engine)
    async with sessions() as s, s.begin():
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        token = (await create_invite(s, meeting_id=aceh.id, created_by=ADMIN, now=T0)).token
    # Each opener on a connection of their own, as concurrent updates would be.
    own_engines = [create_engine(str(engine.url.render_as_string(hide_password=False))) for _ in range(4)]

    async def open_link(user: int) -> str:
        async with session_factory(own_engines[user % 4])() as s, s.begin():
            try:
                await redeem(s, token, user)
            except InviteRefused as refused:
                return refused.problem.value
            return "granted"

    try:
        outcomes = await asyncio.gather(*(open_link(user) for user in range(8_000, 8_012)))
    finally:
        for own in own_engines:
            await own.dispose()
    assert sorted(outcomes) == ["granted"] + ["used"] * 11
    async with sessions() as s:
        pics = await pics_of(s, aceh.id)
        assert [p.telegram_user_id for p in pics] == [8_000 + outcomes.index("granted")]


async def test_a_pic_manages_their_listed_meetings_and_an_organizer_all(sessions, program) -> None:
    async with sessions() as s, s.begin():
        bengkulu, _ = await meeting_and_role(s, "shm23-bengkulu", "fasilitator")
        aceh, _ = await meeting_and_role(s, "shm23-aceh", "fasilitator")
        for meeting in (bengkulu, aceh):
            await redeem(s, (await create_invite(s, meeting_id=meeting.id, created_by=ADMIN, now=T0)).token, ALICE)
        pic = await authority_of(s, ALICE, frozenset())
        assert [m.code for m in await manageable_meetings(s, pic)] == ["shm23-aceh", "shm23-bengkulu"]
        bengkulu.listed = False
        await s.flush()
        assert [m.code for m in await manageable_meetings(s, pic)] == ["shm23-aceh"]
        listed = list(await s.scalars(select(Meeting.code).where(Meeting.listed.is_(True))))
        organizer = await authority_of(s, ADMIN, frozenset({ADMIN}))
        assert sorted(m.code for m in await manageable_meetings(s, organizer)) == sorted(listed)
        assert not await manageable_meetings(s, await authority_of(s, BOB, frozenset()))
