"""Each zone's offsets over an export's span, and the VTIMEZONE written from them.

The VTIMEZONE is written from the same table that gives the wall times of DTSTART/DTEND and of
the description, so what the text says is what a calendar client computes.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta, timezone

from vconf.export.lines import escape_text, line, local_time, utc_offset
from vconf.timetable import Timetable
from vconf.timezones import ClockChange, clock_changes, utc_to_local

_UTC = timezone.utc
_EPOCH, _NAIVE_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC), datetime(1970, 1, 1)


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


class Zones(dict[str, "Zone"]):
    """Each zone's table over the export's span, built when first asked for."""

    def __init__(self, start_utc: datetime, end_utc: datetime):
        super().__init__()
        self.start_utc, self.end_utc = start_utc, end_utc

    def __missing__(self, tz_name: str) -> Zone:
        zone = self[tz_name] = Zone(tz_name, self.start_utc, self.end_utc)
        return zone


class Zone:
    """A zone's offsets over `[start_utc, end_utc)`, read from `timezones.clock_changes`."""

    def __init__(self, tz_name: str, start_utc: datetime, end_utc: datetime):
        first = utc_to_local(start_utc, tz_name)
        self.tz_name, self.first = tz_name, first
        self.start, self.end = start_utc.timestamp(), end_utc.timestamp()
        self.changes = tuple(
            change
            for change in clock_changes(tz_name, start_utc, end_utc)
            if change.utc > start_utc  # one at `start_utc` is already in force in `first`
        )
        self.bounds = [change.utc.timestamp() for change in self.changes]
        self.offsets = [first.utcoffset() or timedelta(0), *(c.offset_after for c in self.changes)]
        self.names = [first.tzname() or "", *(c.abbreviation_after for c in self.changes)]
        self._vtimezone: bytes | None = None

    def local(self, instant: datetime) -> tuple[datetime, int]:
        """Return the naive wall time of an instant, and the index of the offset it uses."""
        moment = instant.timestamp()
        assert self.start <= moment < self.end, "an instant outside the export's span"
        period = bisect_right(self.bounds, moment)
        return _NAIVE_EPOCH + (instant - _EPOCH) + self.offsets[period], period

    def is_repeated(self, wall: datetime, period: int) -> bool:
        """Whether a wall time of period `period` also names an instant of a neighbouring one."""
        if period > 0 and _falls_back(self.changes[period - 1]):
            change = self.changes[period - 1]  # walls up to the old offset happened before
            if wall < change.utc.replace(tzinfo=None) + change.offset_before:
                return True
        if period < len(self.changes) and _falls_back(self.changes[period]):
            change = self.changes[period]  # walls from the new offset will happen again
            return wall >= change.utc.replace(tzinfo=None) + change.offset_after
        return False

    def vtimezone(self) -> bytes:
        """Return the VTIMEZONE: the offset in force at the start, then one dated observance
        (no RRULE) per transition, each DTSTART written in the local time of the offset it
        replaces (TZOFFSETFROM, RFC 5545 §3.6.5). Correct after 2037: `timezones` applies the
        zone's rule there.
        """
        if self._vtimezone is None:
            first = self.first
            summer = (first.dst() or timedelta(0)) > timedelta(0)
            offset = self.offsets[0]
            lines = [
                b"BEGIN:VTIMEZONE\r\n",
                line("TZID", escape_text(self.tz_name)),
                _observance(summer, first.replace(tzinfo=None), offset, offset, self.names[0]),
            ]
            for change in self.changes:
                summer = change.is_dst_after and change.offset_after > change.offset_before
                wall = (change.utc + change.offset_before).replace(tzinfo=None)
                lines.append(
                    _observance(
                        summer,
                        wall,
                        change.offset_before,
                        change.offset_after,
                        change.abbreviation_after,
                    )
                )
            self._vtimezone = b"".join([*lines, b"END:VTIMEZONE\r\n"])
        return self._vtimezone


def build_vtimezone(tz_name: str, start_utc: datetime, end_utc: datetime) -> bytes:
    """Return the VTIMEZONE vconf writes for a zone over `[start_utc, end_utc)`."""
    return Zone(tz_name, start_utc, end_utc).vtimezone()


def _falls_back(change: ClockChange) -> bool:
    return change.offset_after < change.offset_before


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
