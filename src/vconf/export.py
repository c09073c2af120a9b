"""The iCalendar files of SPEC §5: `Timetable` + stamps become `{relative path: bytes}`.

Every VEVENT is serialised once and its bytes are reused in each file that holds it; each zone's
table of offsets, and its VTIMEZONE, is built once per export. The content lines are written here
rather than with the icalendar package: icalendar takes about 0.4 ms per event (its folding walks
every character), which put 20,000 sessions past 8 s; these few functions do the same RFC 5545 work
(TEXT escaping, RFC 6868 parameter quoting, folding at 75 octets without splitting a UTF-8
character or an escape) in a fraction of that. The tests read every file back with icalendar.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from vconf.model import WEEKDAYS, Person
from vconf.revisions import Attendee as Attendee
from vconf.revisions import Stamp as Stamp
from vconf.revisions import Tombstone
from vconf.timetable import UTC_NAME, Slot, Timetable
from vconf.timezones import ClockChange, clock_changes, format_offset, utc_to_local

PRODID = "-//vconf//vconf 0.1//EN"
CHAIR, REQUIRED, OPTIONAL = "CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"
_ROLE_STRENGTH = {CHAIR: 2, REQUIRED: 1, OPTIONAL: 0}
_NAMED_DELEGATIONS = 12  # past this many, a session's description lists delegations by code
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UTC = timezone.utc
_EPOCH, _NAIVE_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC), datetime(1970, 1, 1)

# TEXT carries a line break only as "\n", and no other control character (RFC 5545 §3.3.11)
_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_PARAM_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_PARAM_NEEDS_QUOTES = re.compile(r"[;:,]")
_URI_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\"]")


@dataclass(frozen=True, slots=True)
class _Event:
    """A session's VEVENT: its lines without BEGIN/END, the whole of it, and the TZIDs it uses."""

    body: bytes
    whole: bytes
    tz_names: frozenset[str]


def build_ics_files(
    timetable: Timetable,
    *,
    now: datetime,
    stamps: Mapping[str, Stamp] | None = None,
    tombstones: Iterable[Tombstone] = (),
) -> dict[str, bytes]:
    """Return every .ics file of SPEC §5 as `{relative posix path: bytes}`.

    - `<event id>.ics`: the public sessions, METHOD:PUBLISH.
    - `delegations/<CODE>.ics`: every session of the delegation, restricted ones included; one
      file for every declared delegation, even one without sessions.
    - `people/<person id>.ics`: every session of the person; one file per declared person.
    - `invites/<session id>.ics`: METHOD:REQUEST with one ATTENDEE per person or delegation contact
      that has an email (`session_attendees`). RFC 5546 requires an ATTENDEE in a REQUEST, so a
      session without any email gets no invite; `invites_skipped` names those sessions.

    A session's SEQUENCE and DTSTAMP come from `stamps` (by session id), else 0 and `now`. The
    ORGANIZER is `event.organizer`; without an organizer email it is `mailto:noreply@<uid_domain>`
    with the organizer's name as CN, else the event's name. DTSTART/DTEND carry the zone the time
    was written in; an offset date-time, and a local time that happens twice (a DST fold: libical
    reads it unlike RFC 5545 §3.3.5), are written in UTC. A calendar without sessions holds the
    VTIMEZONE of its own zone, since RFC 5545 requires a component. Same input, same bytes.

    `tombstones` (`revisions.plan_revision`) are sessions shown cancelled (SPEC §6), their times
    in UTC: at `invites/<id>.ics` a METHOD:CANCEL to the invitees it went to; elsewhere a
    STATUS:CANCELLED VEVENT after the active ones of that PUBLISH calendar (by start, then id),
    which, for a person or delegation no longer in the file, holds only those.
    """
    default = Stamp(0, _as_utc(now, "now"))
    stamps = stamps or {}
    zones = _Zones(*_span(timetable, default.dtstamp))
    organizer = _organizer_line(timetable)
    events = {
        slot.id: _build_event(slot, timetable, zones, organizer, stamps.get(slot.id, default))
        for slot in timetable.slots
    }
    cancelled = _cancelled_events(tombstones, organizer)
    files = _publish_files(timetable, events, cancelled, zones)
    for slot in timetable.slots:
        attendees = session_attendees(slot, timetable)
        if attendees:
            files[f"invites/{slot.id}.ics"] = _request(events[slot.id], attendees, zones)
    files.update(_leftover_files(timetable, cancelled, set(files), zones))
    return files


def invitations(timetable: Timetable) -> dict[str, tuple[Attendee, ...]]:
    """Return the invitees of each session that has any (`session_attendees`), by session id."""
    invitees = {slot.id: session_attendees(slot, timetable) for slot in timetable.slots}
    return {session_id: found for session_id, found in invitees.items() if found}


def invites_skipped(timetable: Timetable) -> tuple[str, ...]:
    """Return the ids of the sessions that get no invite: none of their parties has an email."""
    return tuple(slot.id for slot in timetable.slots if not session_attendees(slot, timetable))


def session_attendees(slot: Slot, timetable: Timetable) -> tuple[Attendee, ...]:
    """Return a session's invitees that have an email, one per address, strongest role kept.

    Moderators are CHAIR, speakers REQ-PARTICIPANT, attendees and the contacts of the session's
    delegations OPT-PARTICIPANT. Addresses compare case-insensitively; on equal roles a person
    wins over a delegation contact, then the first written. Sorted by role, then address.
    """
    session = slot.session
    candidates: list[Attendee] = []
    for person_ids, role in (
        (session.moderators, CHAIR),
        (session.speakers, REQUIRED),
        (session.attendees, OPTIONAL),
    ):
        for person_id in person_ids:
            person = timetable.people[person_id]
            if person.email:
                candidates.append(Attendee(person.email, person.name, role, "INDIVIDUAL"))
    for code in slot.delegations:
        delegation = timetable.delegations[code]
        if delegation.email:
            candidates.append(Attendee(delegation.email, delegation.name, OPTIONAL, "GROUP"))
    best: dict[str, Attendee] = {}
    for candidate in candidates:
        key = candidate.email.lower()
        if key not in best or _strength(candidate) > _strength(best[key]):
            best[key] = candidate
    return tuple(sorted(best.values(), key=_attendee_order))


def _strength(attendee: Attendee) -> tuple[int, bool]:
    return _ROLE_STRENGTH[attendee.role], attendee.cutype == "INDIVIDUAL"


def _attendee_order(attendee: Attendee) -> tuple[int, str, str]:
    return -_ROLE_STRENGTH[attendee.role], attendee.email.lower(), attendee.email


# ---- files ---------------------------------------------------------------------------------------


_Cancelled = dict[str, list[tuple[Tombstone, "_Event"]]]


def _publish_files(
    timetable: Timetable, events: Mapping[str, _Event], cancelled: _Cancelled, zones: _Zones
) -> dict[str, bytes]:
    """Return the public, delegation and people calendars, each with its cancelled copies."""

    def held(path: str, active: list[_Event]) -> list[_Event]:
        return active + [event for _, event in cancelled.get(path, ())]

    event = timetable.conference.event
    public = [events[slot.id] for slot in timetable.slots if not slot.session.is_restricted]
    path = f"{event.id}.ics"
    files = {path: _publish(event.name, event.tz_name, held(path, public), zones)}
    by_code, by_person = _events_by_party(timetable, events)
    for code in sorted(timetable.delegations):
        delegation, path = timetable.delegations[code], f"delegations/{code}.ics"
        name = f"{event.name} — {delegation.name}"
        files[path] = _publish(name, delegation.tz_name, held(path, by_code[code]), zones)
    for person_id in sorted(timetable.people):
        person, path = timetable.people[person_id], f"people/{person_id}.ics"
        name, tz_name = f"{event.name} — {person.name}", _person_zone(timetable, person)
        files[path] = _publish(name, tz_name, held(path, by_person[person_id]), zones)
    return files


def _cancelled_events(tombstones: Iterable[Tombstone], organizer: bytes) -> _Cancelled:
    """Return each path's cancelled VEVENTs with their tombstones, by start then session id."""
    cancelled: _Cancelled = {}
    for tombstone in sorted(tombstones, key=lambda t: (t.path, t.start_utc, t.session_id)):
        event = _cancelled_event(tombstone, organizer)
        cancelled.setdefault(tombstone.path, []).append((tombstone, event))
    return cancelled


def _leftover_files(
    timetable: Timetable, cancelled: _Cancelled, written: set[str], zones: _Zones
) -> dict[str, bytes]:
    """Return the files that hold only cancelled copies: CANCEL invitations, and the calendars
    of people or delegations no longer in the file. A path already written keeps its file.
    """
    event = timetable.conference.event
    files: dict[str, bytes] = {}
    for path, held in sorted(cancelled.items()):
        if path in written:
            continue
        if path.startswith("invites/"):
            tombstone, cancel = held[0]
            if tombstone.attendees:  # RFC 5546 §3.2.5: a CANCEL names whom it uninvites
                files[path] = _cancel(cancel, tombstone.attendees)
            continue
        party = path.rpartition("/")[2].removesuffix(".ics")
        name = f"{event.name} — {party}"
        files[path] = _publish(name, event.tz_name, [item for _, item in held], zones)
    return files


def _events_by_party(
    timetable: Timetable, events: Mapping[str, _Event]
) -> tuple[dict[str, list[_Event]], dict[str, list[_Event]]]:
    """Return each delegation's and each person's events, in timetable order, in one pass."""
    by_code: dict[str, list[_Event]] = {code: [] for code in timetable.delegations}
    by_person: dict[str, list[_Event]] = {person_id: [] for person_id in timetable.people}
    for slot in timetable.slots:
        for code in slot.delegations:
            by_code[code].append(events[slot.id])
        for person_id in slot.people:
            by_person[person_id].append(events[slot.id])
    return by_code, by_person


def _person_zone(timetable: Timetable, person: Person) -> str:
    if person.delegation is not None:
        return timetable.delegations[person.delegation].tz_name
    return timetable.conference.event.tz_name


def _publish(name: str, tz_name: str, events: list[_Event], zones: _Zones) -> bytes:
    """Return a METHOD:PUBLISH calendar named `name` whose own zone is `tz_name`."""
    header = [
        _line("METHOD", "PUBLISH"),
        _line("NAME", _text(name)),
        _line("X-WR-CALNAME", _text(name)),
        _line("X-WR-TIMEZONE", _text(tz_name)),
    ]
    tz_names = set().union(*(event.tz_names for event in events)) if events else {tz_name}
    timezones = [zones[zone_name].vtimezone() for zone_name in sorted(tz_names)]
    return _calendar(header, timezones, [event.whole for event in events])


def _request(event: _Event, attendees: Iterable[Attendee], zones: _Zones) -> bytes:
    """Return one session as a METHOD:REQUEST invitation.

    No NAME or X-WR-*: an invitation is a message, not a calendar to subscribe to.
    """
    lines = [b"BEGIN:VEVENT\r\n", event.body, *map(_attendee_line, attendees), b"END:VEVENT\r\n"]
    timezones = [zones[tz_name].vtimezone() for tz_name in sorted(event.tz_names)]
    return _calendar([_line("METHOD", "REQUEST")], timezones, [b"".join(lines)])


def _cancel(event: _Event, attendees: Iterable[Attendee]) -> bytes:
    """Return a cancelled session as a METHOD:CANCEL to the invitees it went to (UTC times)."""
    lines = [
        b"BEGIN:VEVENT\r\n",
        event.body,
        *(_attendee_line(attendee, reply=False) for attendee in attendees),
        b"END:VEVENT\r\n",
    ]
    return _calendar([_line("METHOD", "CANCEL")], [], [b"".join(lines)])


def _calendar(header: list[bytes], timezones: list[bytes], events: list[bytes]) -> bytes:
    start = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + _line("PRODID", PRODID)
    return b"".join(
        [start, b"CALSCALE:GREGORIAN\r\n", *header, *timezones, *events, b"END:VCALENDAR\r\n"]
    )


@lru_cache(maxsize=65536)  # the same people are invited to many sessions
def _attendee_line(attendee: Attendee, *, reply: bool = True) -> bytes:
    """Return an ATTENDEE line; `reply` asks for an answer (a REQUEST, not a CANCEL)."""
    asked = (("PARTSTAT", "NEEDS-ACTION"), ("RSVP", "TRUE")) if reply else ()
    params = _params(
        ("CUTYPE", attendee.cutype), ("ROLE", attendee.role), *asked, ("CN", attendee.name)
    )
    return _line("ATTENDEE", _mailto(attendee.email), params)


def _organizer_line(timetable: Timetable) -> bytes:
    event = timetable.conference.event
    organizer = event.organizer
    email = organizer.email if organizer and organizer.email else f"noreply@{event.uid_domain}"
    name = organizer.name if organizer else event.name
    return _line("ORGANIZER", _mailto(email), _params(("CN", name)))


# ---- one VEVENT ----------------------------------------------------------------------------------


def _build_event(
    slot: Slot, timetable: Timetable, zones: _Zones, organizer: bytes, stamp: Stamp
) -> _Event:
    """Return a session's VEVENT, built once and reused in every file that holds it."""
    session = slot.session
    event = timetable.conference.event
    start, start_tz = _when("DTSTART", slot.start_utc, slot.start_tz, zones)
    end, end_tz = _when("DTEND", slot.end_utc, slot.end_tz, zones)
    lines = [
        _line("UID", _text(f"{session.id}.{event.id}@{event.uid_domain}")),
        _line("DTSTAMP", _utc_text(_as_utc(stamp.dtstamp, "dtstamp"))),
        start,
        end,
        _line("SEQUENCE", str(int(stamp.sequence))),
        b"STATUS:CONFIRMED\r\n",
        _line("SUMMARY", _text(session.title)),
        b"CLASS:PRIVATE\r\n" if session.is_restricted else b"CLASS:PUBLIC\r\n",
        _line("CATEGORIES", _text(session.kind.value)),
        organizer,
    ]
    room = timetable.rooms.get(session.room) if session.room else None
    if room is not None:
        lines.append(_line("LOCATION", _text(room.name)))
        if room.url:
            url = _uri(room.url)
            conference = _params(("VALUE", "URI"), ("FEATURE", "VIDEO"), ("LABEL", room.name))
            lines += [_line("URL", url), _line("CONFERENCE", url, conference)]
    lines.append(_line("DESCRIPTION", _text(_describe(slot, timetable, zones))))
    body = b"".join(lines)
    tz_names = frozenset(name for name in (start_tz, end_tz) if name is not None)
    return _Event(body, b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n", tz_names)


def _cancelled_event(tombstone: Tombstone, organizer: bytes) -> _Event:
    """Return a STATUS:CANCELLED VEVENT: what its file last showed, times in UTC."""
    lines = [
        _line("UID", _text(tombstone.uid)),
        _line("DTSTAMP", _utc_text(_as_utc(tombstone.stamp.dtstamp, "dtstamp"))),
        _line("DTSTART", _utc_text(tombstone.start_utc)),
        _line("DTEND", _utc_text(tombstone.end_utc)),
        _line("SEQUENCE", str(int(tombstone.stamp.sequence))),
        b"STATUS:CANCELLED\r\n",
        _line("SUMMARY", _text(tombstone.title)),
        b"CLASS:PRIVATE\r\n" if tombstone.restricted else b"CLASS:PUBLIC\r\n",
        organizer,
    ]
    body = b"".join(lines)
    return _Event(body, b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n", frozenset())


def _when(name: str, instant: datetime, tz_name: str, zones: _Zones) -> tuple[bytes, str | None]:
    """Return a DTSTART/DTEND line in the zone it was written in, and that zone (None for UTC)."""
    if tz_name == UTC_NAME:
        return _line(name, _utc_text(instant)), None
    zone = zones[tz_name]
    wall, period = zone.local(instant)
    if zone.is_repeated(wall, period):
        return _line(name, _utc_text(instant)), None
    return _line(name, _local_text(wall), _params(("TZID", tz_name))), tz_name


def _describe(slot: Slot, timetable: Timetable, zones: _Zones) -> str:
    """Return the agenda text of a session: room, link, languages, local times, people, notes."""
    session = slot.session
    room = timetable.rooms.get(session.room) if session.room else None
    kind = session.kind.value.replace("-", " ").capitalize()
    lines = [f"{kind} (restricted to its own parties)" if session.is_restricted else kind]
    if room is not None:
        lines.append(f"Room: {room.name}")
        if room.url:
            lines.append(f"Join: {room.url}")
    if session.languages:
        lines.append(f"Languages: {', '.join(session.languages)}")
    lines += ["", "Local times:", *_local_time_lines(slot, timetable, zones)]
    for label, person_ids in (
        ("Moderators", session.moderators),
        ("Speakers", session.speakers),
        ("Attendees", session.attendees),
    ):
        if person_ids:
            names = "; ".join(_person_label(timetable.people[person]) for person in person_ids)
            lines.append(f"{label}: {names}")
    if session.description.strip():
        lines += ["", session.description.strip()]
    return "\n".join(lines)


def _local_time_lines(slot: Slot, timetable: Timetable, zones: _Zones) -> list[str]:
    """Return the event zone's time, then one line per distinct local time with its delegations.

    Delegations that read the same clock share a line, west to east, so a session for every
    delegation stays short; past `_NAMED_DELEGATIONS` they are named by code only.
    """
    event = timetable.conference.event
    delegations = [timetable.delegations[code] for code in slot.delegations]
    named = len(delegations) <= _NAMED_DELEGATIONS
    groups: dict[tuple[timedelta, str], list[str]] = {}
    for delegation in delegations:
        span = zones[delegation.tz_name].span(slot.start_utc, slot.end_utc)
        groups.setdefault(span, []).append(
            f"{delegation.name} ({delegation.code})" if named else delegation.code
        )
    event_span = zones[event.tz_name].span(slot.start_utc, slot.end_utc)[1]
    separator = "; " if named else ", "
    return [
        f"Event time ({event.tz_name}): {event_span}",
        *(f"{span[1]}: {separator.join(labels)}" for span, labels in sorted(groups.items())),
    ]


def _person_label(person: Person) -> str:
    return f"{person.name} ({person.delegation})" if person.delegation else person.name


# ---- zones ---------------------------------------------------------------------------------------


def _span(timetable: Timetable, now: datetime) -> tuple[datetime, datetime]:
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


class _Zones(dict[str, "_Zone"]):
    """Each zone's table over the export's span, built when first asked for."""

    def __init__(self, start_utc: datetime, end_utc: datetime):
        super().__init__()
        self.start_utc, self.end_utc = start_utc, end_utc

    def __missing__(self, tz_name: str) -> _Zone:
        zone = self[tz_name] = _Zone(tz_name, self.start_utc, self.end_utc)
        return zone


class _Zone:
    """A zone's offsets over `[start_utc, end_utc)`, read from `timezones.clock_changes`.

    The VTIMEZONE is written from this table, and the wall times of DTSTART/DTEND and of the
    description are read from it, so what the text says is what a calendar client computes.
    """

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
        self.labels = [
            _label(offset, name) for offset, name in zip(self.offsets, self.names, strict=True)
        ]
        self._spans: dict[tuple[datetime, datetime], tuple[timedelta, str]] = {}
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

    def span(self, start_utc: datetime, end_utc: datetime) -> tuple[timedelta, str]:
        """Return the start's offset and `Tue 16 Nov 2021 14:00-14:45 (WIB, UTC+07:00)`."""
        key = (start_utc, end_utc)
        if key not in self._spans:  # parallel sessions share their times
            self._spans[key] = self._span(start_utc, end_utc)
        return self._spans[key]

    def _span(self, start_utc: datetime, end_utc: datetime) -> tuple[timedelta, str]:
        (start, first), (end, last) = self.local(start_utc), self.local(end_utc)
        start_text = f"{_day(start)} {start.hour:02d}:{start.minute:02d}"
        end_text = f"{end.hour:02d}:{end.minute:02d}"
        if end.date() != start.date():
            end_text = f"{_day(end)} {end_text}"
        if self.offsets[first] == self.offsets[last]:
            return self.offsets[first], f"{start_text}-{end_text} ({self.labels[first]})"
        both = f"{start_text} ({self.labels[first]}) to {end_text} ({self.labels[last]})"
        return self.offsets[first], both

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
                _line("TZID", _text(self.tz_name)),
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
    return _Zone(tz_name, start_utc, end_utc).vtimezone()


def _label(offset: timedelta, name: str) -> str:
    """Return `WIB, UTC+07:00`, or `UTC+07:00` for a numeric abbreviation such as `+07`."""
    utc = f"UTC{format_offset(offset)}"
    return f"{name}, {utc}" if name and name[0] not in "+-" else utc


def _falls_back(change: ClockChange) -> bool:
    return change.offset_after < change.offset_before


def _observance(
    summer: bool, wall: datetime, offset_from: timedelta, offset_to: timedelta, name: str
) -> bytes:
    kind = "DAYLIGHT" if summer else "STANDARD"
    lines = [
        f"BEGIN:{kind}\r\n".encode(),
        _line("DTSTART", _local_text(wall)),
        _line("TZOFFSETFROM", _utc_offset(offset_from)),
        _line("TZOFFSETTO", _utc_offset(offset_to)),
        _line("TZNAME", _text(name)) if name else b"",
        f"END:{kind}\r\n".encode(),
    ]
    return b"".join(lines)


def _day(local: datetime) -> str:
    # fixed English names: strftime's %a and %b follow the process locale
    return f"{WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


# ---- content lines -------------------------------------------------------------------------------


def _as_utc(moment: datetime, what: str) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment.isoformat()}")
    return moment.astimezone(_UTC)


def _utc_text(instant: datetime) -> str:
    return _local_text(instant.astimezone(_UTC)) + "Z"


def _local_text(moment: datetime) -> str:
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def _utc_offset(offset: timedelta) -> str:
    """Return `+0700`, `-0930`, `+0545`, or `+070712` when the offset has seconds."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _text(value: str) -> str:
    """Return a TEXT value escaped (RFC 5545 §3.3.11), so it can never end its property.

    Every line break (CRLF, CR, LF, NEL, U+2028/9) becomes the `\\n` escape; the other control
    characters, which TEXT cannot carry, are dropped.
    """
    if _NEEDS_CLEANING.search(value):
        value = _CONTROLS.sub("", _BREAKS.sub("\n", value))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _params(*pairs: tuple[str, str]) -> str:
    """Return `;NAME=value` for each pair."""
    return "".join(f";{name}={_param_value(value)}" for name, value in pairs)


@lru_cache(maxsize=65536)
def _param_value(value: str) -> str:
    """Return a parameter value: `^` and `"` escaped (RFC 6868), quoted if it holds `;:,`."""
    value = _PARAM_CONTROLS.sub(" ", value.replace("\r\n", " "))
    value = value.replace("^", "^^").replace('"', "^'")
    return f'"{value}"' if _PARAM_NEEDS_QUOTES.search(value) else value


def _uri(value: str) -> str:
    """Return a URI with any space, control character or double quote percent-encoded."""
    return _URI_UNSAFE.sub(_percent, value)


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{octet:02X}" for octet in match[0].encode())


def _mailto(email: str) -> str:
    return "mailto:" + _uri(email)


def _line(name: str, value: str, params: str = "") -> bytes:
    """Return one content line, folded, with its CRLF."""
    return _fold(f"{name}{params}:{value}".encode())


def _fold(data: bytes) -> bytes:
    """Fold a line at 75 octets (74 after the leading space of a continuation).

    Never inside a UTF-8 character, nor between a `\\` or `^` and the character it escapes
    (some clients unfold such a split wrongly).
    """
    if len(data) <= 75:
        return data + b"\r\n"
    parts = []
    start, limit = 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation octet
            cut -= 1
        cut -= _open_escape(data, start, cut)
        parts.append(data[start:cut])
        start, limit = cut, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def _open_escape(data: bytes, start: int, cut: int) -> int:
    """Return 1 when the octets before `cut` end with an unpaired `\\` or `^`, else 0."""
    for escape in (0x5C, 0x5E):
        before = cut - 1
        while before >= start and data[before] == escape:
            before -= 1
        if (cut - 1 - before) % 2:
            return 1
    return 0
