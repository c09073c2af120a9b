"""The delegations' availabilities and the days asked about (shared by grid and proposals).

Times are epoch seconds (`int`) here. Each zone's clock over the days asked about comes from
`timezones.span_clock`, and when a delegation is inside its hours on a working day from
`days.availability`: a sorted list of UTC intervals.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from vconf.days import Availability, availability
from vconf.model import Hours
from vconf.timetable import Timetable
from vconf.timezones import (
    ZoneClock,
    epoch_seconds,
    instant_at,
    span_clock,
    utc_to_local,
    wall_to_utc,
)

SECOND = timedelta(seconds=1)
MINUTE = 60
HOUR = 3600
QUARTER_HOUR = 900
GRID_HOURS = 24
MAX_DAYS = 366
AWAKE = Hours(7 * 60, 22 * 60)  # the zone grid's waking hours, whatever a delegation's hours are


# ---- availability ------------------------------------------------------------------------------


def _availabilities(
    timetable: Timetable, codes: Iterable[str], low: int, high: int
) -> dict[str, Availability]:
    """Return each delegation's availability; delegations alike (zone, hours, days) share one."""
    clocks: dict[str, ZoneClock] = {}
    shared: dict[tuple[object, ...], Availability] = {}
    found: dict[str, Availability] = {}
    for code in codes:
        delegation = timetable.delegations[code]
        key = (delegation.tz_name, delegation.hours, delegation.weekend, delegation.holidays)
        if key not in shared:
            if delegation.tz_name not in clocks:  # both ends included
                clocks[delegation.tz_name] = span_clock(
                    delegation.tz_name, instant_at(low), instant_at(high + 1)
                )
            shared[key] = availability(delegation, clocks[delegation.tz_name], low=low, high=high)
        found[code] = shared[key]
    return found


# ---- days --------------------------------------------------------------------------------------


def _event_days(timetable: Timetable) -> tuple[date, date] | None:
    """Return the event's first and last day: `event.start`/`end`, else the sessions' span."""
    event = timetable.conference.event
    sessions = _session_days(timetable)
    first = event.start or (sessions[0] if sessions else event.end)
    last = event.end or (sessions[1] if sessions else event.start)
    if first is None or last is None:
        return None
    return first, max(first, last)


def _session_days(timetable: Timetable) -> tuple[date, date] | None:
    """Return the first and last event-zone date the sessions touch, or None without sessions."""
    if not timetable.slots:
        return None
    tz_name = timetable.conference.event.tz_name
    first = utc_to_local(timetable.slots[0].start_utc, tz_name).date()
    last_end = max(slot.end_utc for slot in timetable.slots)
    last = (utc_to_local(last_end, tz_name) - timedelta(microseconds=1)).date()
    return first, max(first, last)


def _days_span(first: date, last: date, tz_name: str) -> tuple[int, int]:
    """Return the instants of 00:00 on `first` and 00:00 after `last` in a zone (epoch seconds)."""
    after = last + timedelta(days=1)
    return epoch_seconds(_midnight(first, tz_name)), epoch_seconds(_midnight(after, tz_name))


def _midnight(day: date, tz_name: str) -> datetime:
    """Return the instant a local date starts (a midnight in a DST gap: when the clocks resume)."""
    return wall_to_utc(datetime.combine(day, time()), tz_name).utc
