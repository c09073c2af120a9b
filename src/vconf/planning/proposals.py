"""The start times `vconf slots` proposes for a new session, best first (SPEC §3)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from vconf.days import DAY, Availability
from vconf.errors import VconfError
from vconf.model import Delegation
from vconf.planning.clock import (
    MAX_DAYS,
    MINUTE,
    QUARTER_HOUR,
    SECOND,
    _availabilities,
    _days_span,
    _event_days,
)
from vconf.timetable import Timetable
from vconf.timezones import EPOCH, epoch_seconds, instant_at, utc_to_local, zone_clock


@dataclass(frozen=True, slots=True)
class OutsideHours:
    """One delegation a proposal leaves outside its hours or on a non-working day.

    `minutes` counts the minutes of the session whose local time is outside the delegation's hours
    or on its weekend or holiday; `start_local`/`end_local` are the session in its zone.
    """

    delegation: str
    minutes: int
    start_local: datetime
    end_local: datetime
    non_working_day: bool


@dataclass(frozen=True, slots=True)
class LocalSpan:
    """A proposal in one requested delegation's zone (SPEC §3: its time in each one's zone)."""

    delegation: str
    start_local: datetime
    end_local: datetime


@dataclass(frozen=True, slots=True)
class Proposal:
    """A start time for a new session, scored as SPEC §3 ranks them.

    `delegations` are the requested codes (sorted); `inside` counts those wholly inside their hours
    on a working day; `minutes_outside` sums `OutsideHours.minutes` over all of them; `clashes` are
    the overlapping sessions that share at least one requested delegation (start, then id);
    `outside` lists the delegations not inside, by code; `local` gives the proposal in each
    requested delegation's zone, by code.
    """

    start_utc: datetime
    end_utc: datetime
    delegations: tuple[str, ...]
    inside: int
    minutes_outside: int
    clashes: tuple[str, ...]
    outside: tuple[OutsideHours, ...]
    local: tuple[LocalSpan, ...] = ()


# ---- proposals ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SessionIndex:
    """Sessions sorted by start, to find those overlapping an interval by bisection."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    ids: tuple[str, ...]
    longest: int

    def overlapping(self, start: int, end: int) -> tuple[str, ...]:
        """Return the sessions overlapping [start, end), half-open (SPEC §2), in start order."""
        # a session starting `longest` or more before `start` has ended by then
        first = bisect_right(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        return tuple(self.ids[index] for index in range(first, last) if self.ends[index] > start)


def propose_slots(
    timetable: Timetable,
    *,
    duration: timedelta,
    delegations: tuple[str, ...] = (),
    start: date | None = None,
    end: date | None = None,
    top: int = 10,
) -> tuple[Proposal, ...]:
    """Return the `top` best start times for a new session of `duration`, best first (SPEC §3).

    Candidates start on every quarter hour of the event zone from 00:00 on `start` and end by
    00:00 after `end` (default the event's days, else the sessions' span). With `delegations`
    empty, every delegation is asked. The ranking, most important first:

    1. most delegations inside: wholly inside their hours on one local day, and touching no
       weekend day or holiday (neither `outside-hours` nor `non-working-day` of SPEC §2 holds);
    2. fewest minutes outside, summed over the delegations: the minutes of the session whose
       local time is outside the delegation's hours, or on its weekend day or holiday (a part
       minute counts as one);
    3. fewest clashes: overlaps (half-open) with existing sessions that share at least one
       requested delegation;
    4. earliest.

    One proposal per window: a start within `duration` of a better one already listed on the
    same event-zone day is not listed.
    """
    codes = _requested(timetable, delegations)
    if duration <= timedelta(0):
        raise VconfError(f"the duration must be positive, got {_minutes_text(duration)}")
    if top < 1:
        raise VconfError(f"--top must be at least 1, got {top}")
    first_day, last_day = _proposal_days(timetable, start, end)
    low, high = _days_span(first_day, last_day, timetable.conference.event.tz_name)
    length = -(-duration // SECOND)
    starts = range(low, high - length + 1, QUARTER_HOUR)
    if not starts:
        raise VconfError(
            f"a {_minutes_text(duration)} session does not fit between {first_day} and {last_day}"
        )
    available = _availabilities(timetable, codes, low, high)
    inside, minutes = _scores(starts, length, [available[code] for code in codes])
    sessions = _session_index(timetable, codes)
    clashes = [len(sessions.overlapping(moment, moment + length)) for moment in starts]
    ranked = sorted(
        range(len(starts)), key=lambda i: (-inside[i], minutes[i], clashes[i], starts[i])
    )
    best = _one_per_window([starts[i] for i in ranked], length, timetable, top=top)
    return tuple(_proposal(timetable, codes, available, sessions, start, length) for start in best)


def _one_per_window(
    ranked: Sequence[int], length: int, timetable: Timetable, *, top: int
) -> list[int]:
    """Return the first `top` starts, best first, none within `length` of a better one that
    day (event zone): each proposal is its own window (SPEC §3).
    """
    clock = zone_clock(timetable.conference.event.tz_name)
    kept: dict[int, list[int]] = {}  # event-zone day number -> starts listed that day
    listed: list[int] = []
    for start in ranked:
        day = clock.local_seconds(start) // DAY
        if any(abs(start - other) < length for other in kept.get(day, ())):
            continue
        kept.setdefault(day, []).append(start)
        listed.append(start)
        if len(listed) == top:
            break
    return listed


def _requested(timetable: Timetable, delegations: tuple[str, ...]) -> tuple[str, ...]:
    """Return the requested codes sorted and without repeats, or every code; check each exists."""
    for code in delegations:
        if code not in timetable.delegations:
            known = ", ".join(sorted(timetable.delegations)) or "none"
            raise VconfError(f"unknown delegation {code!r}; the delegations are: {known}")
    return tuple(sorted(set(delegations) if delegations else timetable.delegations))


def _proposal_days(timetable: Timetable, start: date | None, end: date | None) -> tuple[date, date]:
    """Return the days to search: the given ones, the event's, else the sessions' span.

    A missing `end` is the event's last day, or `start` when the event ends before it; a
    missing `start` likewise. Days filled in this way never make the search longer than
    MAX_DAYS (a longer event is searched from its first day, or from `--from`); days the user
    gives both ends of are refused beyond it.
    """
    default = _event_days(timetable)
    limit = timedelta(days=MAX_DAYS - 1)
    if start is None and end is None:
        if default is None:
            raise VconfError("the event has no dates and no sessions: pass --from and --to")
        return default[0], min(default[1], default[0] + limit)
    if start is None:
        assert end is not None  # both missing returned above
        start = max(default[0], end - limit) if default and default[0] <= end else end
    elif end is None:
        end = min(default[1], start + limit) if default and default[1] >= start else start
    if start > end:
        raise VconfError(f"--from {start} is after --to {end}")
    if (end - start).days + 1 > MAX_DAYS:
        raise VconfError(f"{start} to {end} is more than {MAX_DAYS} days: choose fewer")
    return start, end


def _scores(
    starts: range, length: int, availabilities: Sequence[Availability]
) -> tuple[list[int], list[int]]:
    """Return, per candidate start, how many delegations are inside and the minutes outside."""
    # delegations alike share one availability (same object): score it once, count it n times
    shared = {id(availability): availability for availability in availabilities}
    counts = Counter(id(availability) for availability in availabilities)
    ends = [moment + length for moment in starts]
    inside = [0] * len(starts)
    minutes = [0] * len(starts)
    for key, availability in shared.items():
        count = counts[key]
        inside_each = availability.inside_each(starts, ends)
        outside_each = availability.seconds_outside_each(starts, ends)
        inside = [total + count * found for total, found in zip(inside, inside_each, strict=True)]
        minutes = [
            total + count * _minutes_up(seconds)
            for total, seconds in zip(minutes, outside_each, strict=True)
        ]
    return inside, minutes


def _session_index(timetable: Timetable, codes: tuple[str, ...]) -> _SessionIndex:
    """Return the sessions that share at least one requested delegation, by start."""
    wanted = set(codes)
    slots = [slot for slot in timetable.slots if not wanted.isdisjoint(slot.delegations)]
    # starts rounded down and ends up: candidates are whole seconds, so overlaps stay exact
    starts = tuple(epoch_seconds(slot.start_utc) for slot in slots)
    ends = tuple(_seconds_rounded_up(slot.end_utc) for slot in slots)
    longest = max((end - start for start, end in zip(starts, ends, strict=True)), default=0)
    return _SessionIndex(starts, ends, tuple(slot.id for slot in slots), longest)


def _seconds_rounded_up(instant: datetime) -> int:
    """Return an aware instant as whole seconds since the epoch, rounded up."""
    return -((EPOCH - instant) // SECOND)


def _proposal(
    timetable: Timetable,
    codes: tuple[str, ...],
    available: dict[str, Availability],
    sessions: _SessionIndex,
    start: int,
    length: int,
) -> Proposal:
    """Return one scored start time with who is outside and the sessions it clashes with."""
    end = start + length
    outside = tuple(
        _outside_hours(timetable.delegations[code], available[code], start, end)
        for code in codes
        if not available[code].is_inside(start, end)
    )
    minutes = sum(available[code].minutes_outside(start, end) for code in codes)
    return Proposal(
        start_utc=instant_at(start),
        end_utc=instant_at(end),
        delegations=codes,
        inside=len(codes) - len(outside),
        minutes_outside=minutes,
        clashes=sessions.overlapping(start, end),
        outside=outside,
        local=tuple(
            LocalSpan(
                code,
                utc_to_local(instant_at(start), timetable.delegations[code].tz_name),
                utc_to_local(instant_at(end), timetable.delegations[code].tz_name),
            )
            for code in codes
        ),
    )


def _outside_hours(
    delegation: Delegation, availability: Availability, start: int, end: int
) -> OutsideHours:
    """Return how a delegation is outside for [start, end): minutes, local times, day."""
    wall_start, wall_end = availability.clock.local_seconds_each((start, end))
    return OutsideHours(
        delegation=delegation.code,
        minutes=availability.minutes_outside(start, end),
        start_local=utc_to_local(instant_at(start), delegation.tz_name),
        end_local=utc_to_local(instant_at(end), delegation.tz_name),
        non_working_day=availability.touches_day_off(wall_start, wall_end),
    )


def _minutes_up(seconds: int) -> int:
    """Return seconds as minutes, a part minute counting as one."""
    return -(-seconds // MINUTE)


def _minutes_text(length: timedelta) -> str:
    """Return `90 min` for a duration."""
    return f"{length.total_seconds() / MINUTE:g} min"
