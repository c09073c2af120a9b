"""Who is invited to what: roles, one invitation per address, the order, sessions without any."""

from __future__ import annotations

import textwrap

from vconf.invitations import (
    CHAIR,
    GROUP,
    INDIVIDUAL,
    OPTIONAL,
    REQUIRED,
    Attendee,
    invitations,
    invites_skipped,
    session_attendees,
)
from vconf.load import conference_from_text
from vconf.timetable import Timetable, build_timetable

EVENT = """
[event]
id = "summit"
name = "Summit"
timezone = "Asia/Jakarta"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"
email = "protocol@mofa.example"

[delegations.ID]
name = "Indonesia"
timezone = "Asia/Jakarta"

[people.son]
name = "Bui Thanh Son"
delegation = "VN"
email = "minister@mofa.example"

[people.lan]
name = "Nguyen Thi Lan"
delegation = "VN"
email = "Protocol@MOFA.example"

[people.ana]
name = "Ana"
email = "ana@example.org"

[people.bo]
name = "Bo"
"""


def timetable_of(sessions: str) -> Timetable:
    return build_timetable(conference_from_text(textwrap.dedent(EVENT + sessions)))


def session(session_id: str, **lists: list[str]) -> str:
    keys = "".join(f"{key} = {values!r}\n".replace("'", '"') for key, values in lists.items())
    return (
        f'\n[[sessions]]\nid = "{session_id}"\ntitle = "{session_id}"\n'
        f'start = 2030-01-01T10:00:00\nduration = "1h"\n{keys}'
    )


def test_moderators_chair_speakers_are_required_and_attendees_optional() -> None:
    timetable = timetable_of(session("s", moderators=["ana"], speakers=["son"], attendees=["bo"]))
    assert session_attendees(timetable.slots[0], timetable) == (
        Attendee("ana@example.org", "Ana", CHAIR, INDIVIDUAL),
        Attendee("minister@mofa.example", "Bui Thanh Son", REQUIRED, INDIVIDUAL),
        Attendee("protocol@mofa.example", "Viet Nam", OPTIONAL, GROUP),  # Son's delegation
    )


def test_a_delegation_contact_is_an_optional_group() -> None:
    timetable = timetable_of(session("s", delegations=["VN", "ID"]))
    assert session_attendees(timetable.slots[0], timetable) == (
        Attendee("protocol@mofa.example", "Viet Nam", OPTIONAL, GROUP),
    )


def test_one_address_is_invited_once_with_its_strongest_role() -> None:
    timetable = timetable_of(session("s", speakers=["son"], moderators=["son"]))
    found = session_attendees(timetable.slots[0], timetable)
    assert [(a.email, a.role) for a in found if a.cutype == INDIVIDUAL] == [
        ("minister@mofa.example", CHAIR)
    ]


def test_on_equal_roles_a_person_wins_over_a_contact_whatever_the_case_of_the_address() -> None:
    timetable = timetable_of(session("s", attendees=["lan"], delegations=["VN"]))
    (only,) = session_attendees(timetable.slots[0], timetable)
    assert (only.name, only.cutype, only.email) == (
        "Nguyen Thi Lan",
        INDIVIDUAL,
        "Protocol@MOFA.example",
    )


def test_invitees_are_sorted_by_role_then_address() -> None:
    timetable = timetable_of(session("s", attendees=["son", "ana"], speakers=["lan"]))
    found = session_attendees(timetable.slots[0], timetable)
    assert [(a.role, a.email) for a in found] == [
        (REQUIRED, "Protocol@MOFA.example"),
        (OPTIONAL, "ana@example.org"),
        (OPTIONAL, "minister@mofa.example"),
    ]


def test_a_session_without_any_email_gets_no_invitation() -> None:
    timetable = timetable_of(session("quiet", attendees=["bo"]) + session("s", speakers=["ana"]))
    assert invites_skipped(timetable) == ("quiet",)
    assert set(invitations(timetable)) == {"s"}
    assert invitations(timetable)["s"][0].email == "ana@example.org"
