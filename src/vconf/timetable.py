"""Pin every session to UTC: a `Conference` becomes a `Timetable` of `Slot`s."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from vconf.model import Account, Conference, Delegation, Person, Room, Session
from vconf.timezones import TimeIssue, wall_to_utc

UTC_NAME = "UTC"


@dataclass(frozen=True, slots=True)
class Slot:
    """A session pinned to UTC, with its delegations and people expanded and sorted.

    `start_tz`/`end_tz` name the zone each end was written in (`UTC` for an offset date-time);
    `start_issue`/`end_issue` note a local time that fell in a DST gap or fold.
    """

    session: Session
    start_utc: datetime
    end_utc: datetime
    start_tz: str
    end_tz: str
    delegations: tuple[str, ...]
    people: tuple[str, ...]
    start_issue: TimeIssue | None = None
    end_issue: TimeIssue | None = None

    @property
    def id(self) -> str:
        """The session id."""
        return self.session.id


@dataclass(frozen=True, slots=True)
class Timetable:
    """Every slot, sorted by start then id, and the conference's records by id.

    `unscheduled` holds the sessions without a start (SPEC §10), in file order: they are not
    slots, so no agenda, export or time check sees them.
    """

    conference: Conference
    slots: tuple[Slot, ...]
    delegations: dict[str, Delegation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    rooms: dict[str, Room] = field(default_factory=dict)
    by_id: dict[str, Slot] = field(default_factory=dict)
    by_delegation: dict[str, tuple[Slot, ...]] = field(default_factory=dict)
    by_person: dict[str, tuple[Slot, ...]] = field(default_factory=dict)
    unscheduled: tuple[Session, ...] = ()
    accounts: dict[str, Account] = field(default_factory=dict)


def build_timetable(conference: Conference) -> Timetable:
    """Return every session of the conference pinned to UTC, sorted by start then id."""
    delegations = {delegation.code: delegation for delegation in conference.delegations}
    people = {person.id: person for person in conference.people}
    every_code = tuple(sorted(delegations))
    slots = [
        _pin(session, people, every_code)
        for session in conference.sessions
        if session.start is not None
    ]
    slots.sort(key=lambda slot: (slot.start_utc, slot.id))
    rooms = {room.id: room for room in conference.rooms}
    by_id = {slot.id: slot for slot in slots}
    return Timetable(
        conference,
        tuple(slots),
        delegations,
        people,
        rooms,
        by_id,
        _index(slots, delegations, lambda slot: slot.delegations),
        _index(slots, people, lambda slot: slot.people),
        tuple(session for session in conference.sessions if session.start is None),
        accounts={account.id: account for account in conference.accounts},
    )


def _index(
    slots: list[Slot], keys: Iterable[str], of: Callable[[Slot], tuple[str, ...]]
) -> dict[str, tuple[Slot, ...]]:
    """Each key's slots, in timetable order (one pass, not one scan per key)."""
    groups: dict[str, list[Slot]] = {key: [] for key in keys}
    for slot in slots:
        for key in of(slot):
            groups[key].append(slot)
    return {key: tuple(group) for key, group in groups.items()}


def _pin(session: Session, people: dict[str, Person], every_code: tuple[str, ...]) -> Slot:
    assert session.start is not None  # unscheduled sessions are kept aside
    start_utc, start_tz, start_issue = _place(session.start, session.tz_name)
    if session.end is not None:
        end_utc, end_tz, end_issue = _place(session.end, session.tz_name)
    else:
        assert session.duration is not None
        # elapsed time: the clock changes in between do not stretch or shrink it (SPEC §2)
        end_utc, end_tz, end_issue = start_utc + session.duration, start_tz, None
    person_ids = sorted({*session.speakers, *session.moderators, *session.attendees})
    # interpreters are people of the session, but their delegation is not a party (SPEC §7)
    everyone = sorted({*person_ids, *session.interpreters}) if session.interpreters else person_ids
    return Slot(
        session=session,
        start_utc=start_utc,
        end_utc=end_utc,
        start_tz=start_tz,
        end_tz=end_tz,
        delegations=session_delegations(session, person_ids, people, every_code),
        people=tuple(everyone),
        start_issue=start_issue,
        end_issue=end_issue,
    )


def _place(moment: datetime, tz_name: str) -> tuple[datetime, str, TimeIssue | None]:
    """Return the UTC instant, the zone it is written in, and any gap or fold."""
    if moment.tzinfo is not None:
        return moment, UTC_NAME, None
    placed = wall_to_utc(moment, tz_name)
    return placed.utc, tz_name, placed.issue


def session_delegations(
    session: Session, person_ids: list[str], people: dict[str, Person], every_code: tuple[str, ...]
) -> tuple[str, ...]:
    """Return the delegations a session lists ("*" for all) and those of its people, sorted."""
    if "*" in session.delegations:
        return every_code
    codes = set(session.delegations)
    for person_id in person_ids:
        delegation = people[person_id].delegation
        if delegation is not None:
            codes.add(delegation)
    return tuple(sorted(codes))


def within_days(session: Session, conference: Conference) -> tuple[date, date] | None:
    """Return the first and last day (event zone) an unscheduled session may start on.

    Its `within`, else the event's days (SPEC §10); None when neither says (no event days).
    """
    if session.within is not None:
        return session.within
    event = conference.event
    if event.start is None:
        return None if event.end is None else (event.end, event.end)
    return event.start, event.end or event.start


def slots_for(
    timetable: Timetable, *, delegation: str | None = None, person: str | None = None
) -> tuple[Slot, ...]:
    """Return the slots a party sees: its own sessions, restricted ones included.

    With no party, every slot: the organiser's view.
    """
    if delegation is not None:
        return timetable.by_delegation.get(delegation, ())
    if person is not None:
        return timetable.by_person.get(person, ())
    return timetable.slots
