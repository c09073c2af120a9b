"""Each zone's offsets over an export's span, and the VTIMEZONE written from them.

The VTIMEZONE is written from the same table that gives the wall times of DTSTART/DTEND and of
the description, so what the text says is what a calendar client computes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from vconf.contentlines import escape_text, line, local_time, utc_offset
from vconf.timetable import Timetable
from vconf.timezones import ZoneClock, epoch_seconds, instant_at, span_clock

_UTC = timezone.utc
_NAIVE_EPOCH, _SECOND = datetime(1970, 1, 1), timedelta(seconds=1)


def export_span(timetable: Timetable, now: datetime) -> tuple[datetime, datetime]:
    """Return 1 Jan of the year before the first session to 1 Jan two years after the last (UTC).

    Whole years keep the VTIMEZONEs stable when a session moves by a day; a year of margin on
    each side covers a client that reads a little around the events. Without sessions: the
    event's dates, else `now`.
    """
    event = timetable.conference.event
    if timetable.slots:
        first_year = min(slot.start_utc for slot in timetable.slots).year
        last_year = max(slot.end_utc for slot in timetable.slots).year
    else:
        first_year = (event.start or now).year
        last_year = (event.end or event.start or now).year
    return datetime(first_year - 1, 1, 1, tzinfo=_UTC), datetime(last_year + 2, 1, 1, tzinfo=_UTC)


class Zones(dict[str, ZoneClock]):
    """Each zone's clock over the export's span (`timezones.span_clock`), built when first asked
    for, and its VTIMEZONE, written once."""

    def __init__(self, start_utc: datetime, end_utc: datetime):
        super().__init__()
        self.start_utc, self.end_utc = start_utc, end_utc
        self._vtimezones: dict[str, bytes] = {}

    def __missing__(self, tz_name: str) -> ZoneClock:
        clock = self[tz_name] = span_clock(tz_name, self.start_utc, self.end_utc)
        return clock

    def vtimezone(self, tz_name: str) -> bytes:
        """Return the zone's VTIMEZONE over the export's span."""
        text = self._vtimezones.get(tz_name)
        if text is None:
            text = self._vtimezones[tz_name] = vtimezone(self[tz_name])
        return text


def local(clock: ZoneClock, instant: datetime) -> tuple[datetime, int]:
    """Return the naive wall time of an instant, and the index in `clock.offsets` it uses."""
    return clock.local_wall(instant)[0], clock.period(epoch_seconds(instant))


def is_repeated(clock: ZoneClock, wall: datetime) -> bool:
    """Whether a wall time names two instants (it lies in a fold, where the clock fell back)."""
    # Counted from the naive epoch, a naive wall time is the wall seconds of `instants_at`.
    return len(clock.instants_at((wall - _NAIVE_EPOCH) // _SECOND)) > 1


def vtimezone(clock: ZoneClock) -> bytes:
    """Return the VTIMEZONE of a span's clock: the offset in force at the start, then one dated
    observance (no RRULE) per transition, each DTSTART written in the local time of the offset
    it replaces (TZOFFSETFROM, RFC 5545 §3.6.5). Correct after 2037: `timezones` applies the
    zone's rule there.
    """
    offset = timedelta(seconds=clock.offsets[0])
    first_wall = clock.local_wall(instant_at(clock.start))[0]
    lines = [
        b"BEGIN:VTIMEZONE\r\n",
        line("TZID", escape_text(clock.tz_name)),
        _observance(clock.is_dst_at_start, first_wall, offset, offset, clock.abbreviations[0]),
    ]
    for change in clock.changes:
        summer = change.is_dst_after and change.offset_after > change.offset_before
        wall = (change.utc + change.offset_before).replace(tzinfo=None)
        lines.append(
            _observance(
                summer, wall, change.offset_before, change.offset_after, change.abbreviation_after
            )
        )
    return b"".join([*lines, b"END:VTIMEZONE\r\n"])


def build_vtimezone(tz_name: str, start_utc: datetime, end_utc: datetime) -> bytes:
    """Return the VTIMEZONE vconf writes for a zone over `[start_utc, end_utc)`."""
    return vtimezone(span_clock(tz_name, start_utc, end_utc))


def _observance(
    summer: bool, wall: datetime, offset_from: timedelta, offset_to: timedelta, name: str
) -> bytes:
    kind = "DAYLIGHT" if summer else "STANDARD"
    lines = [
        f"BEGIN:{kind}\r\n".encode(),
        line("DTSTART", local_time(wall)),
        line("TZOFFSETFROM", utc_offset(offset_from)),
        line("TZOFFSETTO", utc_offset(offset_to)),
        line("TZNAME", escape_text(name)) if name else b"",
        f"END:{kind}\r\n".encode(),
    ]
    return b"".join(lines)
