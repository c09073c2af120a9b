"""The solver's `Instance` from a timetable: every start SPEC §10 allows, and what it costs there.

A candidate start is a quarter hour of the wall clock of the zone the session is read in, which
happens exactly once there (never in a gap or fold: `ZoneClock.instants_at` gives one instant),
and whose date in the event zone is one of the session's `within` days. Its cost is the minutes
outside hours of SPEC §10, summed over the session's delegations, from days.py's `Availability`
(the one copy of the day rules). No OR-Tools here: building an instance is plain arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vconf.days import DAY, MINUTE, Availability, availability, day_number
from vconf.model import Conference, Delegation, Kind, Room, Session
from vconf.scheduling.instance import Candidate, Instance, Pinned, Unscheduled, Uses
from vconf.timetable import Slot, Timetable, session_delegations, within_days
from vconf.timezones import epoch_seconds, zone_clock

QUARTER = 15 * MINUTE  # seconds between two candidate starts, on the session's wall clock


@dataclass(frozen=True, slots=True)
class Span:
    """The UTC seconds every candidate of every session falls in, with room for its length."""

    low: int
    high: int


def build_instance(timetable: Timetable) -> Instance:
    """Return the scheduling problem of a timetable: its unscheduled sessions and pinned slots."""
    conference = timetable.conference
    starts = {session.id: _starts(session, conference) for session in timetable.unscheduled}
    span = _span(timetable.unscheduled, starts)
    scores = _Scores(timetable.delegations, span)
    unscheduled = tuple(
        _unscheduled(timetable, session, starts=starts[session.id], scores=scores)
        for session in timetable.unscheduled
    )
    return Instance(
        unscheduled=unscheduled,
        pinned=tuple(_pinned(timetable, slot) for slot in timetable.slots),
        capacities=accounts(conference),
        sizes=sizes(conference),
    )


# ---- the resources SPEC §7 adds, read where the model has them ---------------------------------


def interpreters(session: Session) -> tuple[str, ...]:
    """Return a session's interpreters (SPEC §7), people it holds like any other."""
    found: tuple[str, ...] = getattr(session, "interpreters", ())
    return found


def room_account(room: Room | None) -> str | None:
    """Return the platform account that hosts a room's meetings (SPEC §7), if any."""
    account: str | None = getattr(room, "account", None)
    return account


def accounts(conference: Conference) -> tuple[tuple[str, int], ...]:
    """Return every declared account and its `concurrent` (default 1), sorted by id."""
    declared: Iterable[Any] = getattr(conference, "accounts", ())
    return tuple(sorted((account.id, getattr(account, "concurrent", 1)) for account in declared))


def sizes(conference: Conference) -> tuple[tuple[str, int], ...]:
    """Return the delegations with a `size` limit (SPEC §7) and that limit, sorted by code."""
    limited = ((d.code, getattr(d, "size", None)) for d in conference.delegations)
    return tuple(sorted((code, size) for code, size in limited if size is not None))


# ---- sessions -----------------------------------------------------------------------------------


def _uses(timetable: Timetable, session: Session, *, delegations: tuple[str, ...]) -> Uses:
    people = {*session.speakers, *session.moderators, *session.attendees, *interpreters(session)}
    room = timetable.rooms.get(session.room) if session.room is not None else None
    return Uses(
        people=tuple(sorted(people)),
        room=session.room,
        account=room_account(room),
        delegations=delegations,
        is_break=session.kind is Kind.BREAK,
    )


def _pinned(timetable: Timetable, slot: Slot) -> Pinned:
    start, end = epoch_seconds(slot.start_utc), epoch_seconds(slot.end_utc)
    return Pinned(
        id=slot.id,
        start_utc=start // MINUTE,
        end_utc=-(-end // MINUTE),  # a part minute still holds the resource
        uses=_uses(timetable, slot.session, delegations=slot.delegations),
    )


def delegations_of(timetable: Timetable, session: Session) -> tuple[str, ...]:
    """Return an unscheduled session's delegations, as a slot would have them (SPEC §1, §7)."""
    people = sorted({*session.speakers, *session.moderators, *session.attendees})
    return session_delegations(
        session, people, timetable.people, tuple(sorted(timetable.delegations))
    )


def _unscheduled(
    timetable: Timetable, session: Session, *, starts: tuple[int, ...], scores: _Scores
) -> Unscheduled:
    assert session.duration is not None  # the loader requires it without a start
    length = int(session.duration.total_seconds())
    delegations = delegations_of(timetable, session)
    costs = scores.minutes_outside(delegations, starts, length=length)
    return Unscheduled(
        id=session.id,
        length=-(-length // MINUTE),
        uses=_uses(timetable, session, delegations=delegations),
        candidates=tuple(
            Candidate(start_utc=start // MINUTE, cost=cost)
            for start, cost in zip(starts, costs, strict=True)
        ),
        why_none="" if starts else _why_none(session, timetable.conference),
    )


def _why_none(session: Session, conference: Conference) -> str:
    days = within_days(session, conference)
    if days is None:
        return "it has no days to be placed on: give it `within = [DATE, DATE]`"
    return f"no quarter hour from {days[0]} to {days[1]} happens once in {session.tz_name}"


# ---- candidate starts ---------------------------------------------------------------------------


def _starts(session: Session, conference: Conference) -> tuple[int, ...]:
    """Return the candidate starts of a session, in UTC epoch seconds, oldest first."""
    days = within_days(session, conference)
    if days is None:
        return ()
    first, last = day_number(days[0]), day_number(days[1])
    clock, event_clock = zone_clock(session.tz_name), zone_clock(conference.event.tz_name)
    found = []
    # every wall quarter hour of the session's zone a day either side covers the event-zone days
    for wall in range((first - 1) * DAY, (last + 2) * DAY, QUARTER):
        instants = clock.instants_at(wall)
        if len(instants) == 1 and first <= event_clock.local_seconds(instants[0]) // DAY <= last:
            found.append(instants[0])
    return tuple(sorted(found))


def _span(sessions: Sequence[Session], starts: dict[str, tuple[int, ...]]) -> Span:
    every = [start for found in starts.values() for start in found]
    longest = max((s.duration or timedelta(0) for s in sessions), default=timedelta(0))
    if not every:
        return Span(0, 0)
    return Span(min(every), max(every) + int(longest.total_seconds()) + MINUTE)


class _Scores:
    """Each delegation's availability over the span, built once, scoring many starts at once."""

    def __init__(self, delegations: dict[str, Delegation], span: Span) -> None:
        self.delegations, self.span = delegations, span
        self._built: dict[str, Availability] = {}

    def of(self, code: str) -> Availability:
        if code not in self._built:
            delegation = self.delegations[code]
            self._built[code] = availability(
                delegation, zone_clock(delegation.tz_name), low=self.span.low, high=self.span.high
            )
        return self._built[code]

    def minutes_outside(
        self, codes: tuple[str, ...], starts: tuple[int, ...], *, length: int
    ) -> list[int]:
        """Return, per start, the minutes outside hours summed over the delegations (SPEC §10)."""
        ends = [start + length for start in starts]
        totals = [0] * len(starts)
        for code in codes:
            seconds = self.of(code).seconds_outside_each(starts, ends)
            totals = [total + -(-s // MINUTE) for total, s in zip(totals, seconds, strict=True)]
        return totals


def local_start(session: Session, start_utc_minutes: int) -> datetime:
    """Return a placed start as the naive wall time of the session's zone (for OUT.toml)."""
    instant = start_utc_minutes * MINUTE
    return datetime(1970, 1, 1) + timedelta(
        seconds=zone_clock(session.tz_name).local_seconds(instant)
    )
