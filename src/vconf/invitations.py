"""Who is invited to what: each session's invitees with an email, and the role each one has.

The invitation files (`export`), the revision store (`revisions`: whom an invitation went to, so
that a CANCEL reaches the same people) and the messages sent all ask this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from vconf.timetable import Slot, Timetable

CHAIR, REQUIRED, OPTIONAL = "CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"  # RFC 5545 ROLE
NON_PARTICIPANT = "NON-PARTICIPANT"  # an interpreter: works the session, is no party (SPEC §7)
INDIVIDUAL, GROUP = "INDIVIDUAL", "GROUP"  # RFC 5545 CUTYPE
_ROLE_STRENGTH = {CHAIR: 3, REQUIRED: 2, OPTIONAL: 1, NON_PARTICIPANT: 0}


@dataclass(frozen=True, slots=True)
class Attendee:
    """One invitee of a session: a person (INDIVIDUAL) or a delegation contact (GROUP)."""

    email: str
    name: str
    role: str
    cutype: str


def invitations(timetable: Timetable) -> Mapping[str, tuple[Attendee, ...]]:
    """Return the invitees of each session that has any (`session_attendees`), by session id.

    Made once per timetable (the last one asked for is kept): planning the revision, writing
    the invitations and recording their recipients all ask, 60,000 times for 20,000 sessions.
    """
    global _LAST
    if _LAST is None or _LAST[0] is not timetable:
        invitees = {slot.id: session_attendees(slot, timetable) for slot in timetable.slots}
        found = {session_id: found for session_id, found in invitees.items() if found}
        _LAST = (timetable, MappingProxyType(found))
    return _LAST[1]


# the timetable `invitations` answered last, and its answer (a timetable is never changed)
_LAST: tuple[Timetable, Mapping[str, tuple[Attendee, ...]]] | None = None


def recipient_zones(timetable: Timetable) -> dict[str, str]:
    """Return the zone each invitable address lives in, by lower-cased address.

    A person's is their delegation's, a delegation contact's its delegation's, anyone else's the
    event's; when an address is two parties', the person's wins (as in `session_attendees`).
    """
    zones: dict[str, str] = {}
    for delegation in sorted(timetable.delegations.values(), key=lambda item: item.code):
        if delegation.email:
            zones.setdefault(delegation.email.lower(), delegation.tz_name)
    for person in sorted(timetable.people.values(), key=lambda item: item.id):
        if person.email and person.delegation in timetable.delegations:
            zones[person.email.lower()] = timetable.delegations[person.delegation].tz_name
    return zones


def invites_skipped(timetable: Timetable) -> tuple[str, ...]:
    """Return the ids of the sessions that get no invite: none of their parties has an email."""
    return tuple(slot.id for slot in timetable.slots if not session_attendees(slot, timetable))


def session_attendees(slot: Slot, timetable: Timetable) -> tuple[Attendee, ...]:
    """Return a session's invitees that have an email, one per address, strongest role kept;
    never the event's organizer (its address is the ORGANIZER, the one who invites).

    Moderators are CHAIR, speakers REQ-PARTICIPANT, attendees and the contacts of the session's
    delegations OPT-PARTICIPANT, interpreters NON-PARTICIPANT. Addresses compare
    case-insensitively; on equal roles a person wins over a delegation contact, then the first
    written. Sorted by role, then address.
    """
    best: dict[str, Attendee] = {}
    organizer = timetable.conference.event.organizer
    own = organizer.email.lower() if organizer and organizer.email else None
    for candidate in _candidates(slot, timetable):
        key = candidate.email.lower()
        if key == own:
            continue  # the organizer sends the invitation; it is not invited to its own meeting
        if key not in best or _strength(candidate) > _strength(best[key]):
            best[key] = candidate
    return tuple(sorted(best.values(), key=_attendee_order))


def _candidates(slot: Slot, timetable: Timetable) -> list[Attendee]:
    """Return every party of a session with an email, with its role, people first, as written."""
    session = slot.session
    candidates: list[Attendee] = []
    for person_ids, role in (
        (session.moderators, CHAIR),
        (session.speakers, REQUIRED),
        (session.attendees, OPTIONAL),
        (session.interpreters, NON_PARTICIPANT),
    ):
        for person_id in person_ids:
            person = timetable.people[person_id]
            if person.email:
                candidates.append(Attendee(person.email, person.name, role, INDIVIDUAL))
    for code in slot.delegations:
        delegation = timetable.delegations[code]
        if delegation.email:
            candidates.append(Attendee(delegation.email, delegation.name, OPTIONAL, GROUP))
    return candidates


def _strength(attendee: Attendee) -> tuple[int, bool]:
    return _ROLE_STRENGTH[attendee.role], attendee.cutype == INDIVIDUAL


def _attendee_order(attendee: Attendee) -> tuple[int, str, str]:
    return -_ROLE_STRENGTH[attendee.role], attendee.email.lower(), attendee.email
