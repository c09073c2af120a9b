"""The iCalendar files of SPEC §5: a `Timetable` and its `Revision` become `{path: bytes}`.

Every VEVENT is serialised once and its bytes are reused in each file that holds it; each zone's
table of offsets, and its VTIMEZONE, is built once per export. Modules: `vtimezone` (the zones'
tables and VTIMEZONEs), `description` (DESCRIPTION's words); this one holds the files and their
VEVENTs. The content lines are written by `vconf.contentlines` (the RFC 5545 line writer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from vconf.contentlines import as_utc, escape_text, line, local_time, mailto, params, uri, utc_time
from vconf.export.description import Descriptions
from vconf.export.vtimezone import Zones, export_span, is_repeated
from vconf.files import (
    CLOSED_SUMMARY,
    calendar_owner,
    closed_block_uid,
    delegation_calendar_path,
    invite_path,
    is_invite_path,
    person_calendar_path,
    public_calendar_path,
    session_uid,
)
from vconf.invitations import Attendee, invitations
from vconf.model import Person
from vconf.revisions import Revision, Stamp, Tombstone
from vconf.timetable import UTC_NAME, Slot, Timetable

PRODID = "-//vconf//vconf 0.1//EN"


@dataclass(frozen=True, slots=True)
class _Event:
    """A session's VEVENT: its lines without BEGIN/END, the whole of it, and the TZIDs it uses."""

    body: bytes
    whole: bytes
    tz_names: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Export:
    """What every file of one export shares: the timetable, zone tables, ORGANIZER line."""

    timetable: Timetable
    zones: Zones
    organizer: bytes


def build_ics_files(timetable: Timetable, revision: Revision) -> dict[str, bytes]:
    """Return every .ics file of SPEC §5 as `{relative posix path: bytes}`.

    - `<event id>.ics`: the public sessions, METHOD:PUBLISH.
    - `delegations/<CODE>.ics`: every session of the delegation, restricted ones included; one
      file for every declared delegation, even one without sessions.
    - `people/<person id>.ics`: every session of the person; one file per declared person.
    - `invites/<session id>.ics`: METHOD:REQUEST with one ATTENDEE per person or delegation contact
      that has an email (`invitations.session_attendees`). RFC 5546 requires an ATTENDEE in a
      REQUEST, so a session without any email gets no invite (`invitations.invites_skipped`).

    A session's SEQUENCE and DTSTAMP are the revision's (`Revision.stamps`), else 0 and its
    `now`. The ORGANIZER is `event.organizer`; without an organizer email it is
    `mailto:noreply@<uid_domain>` with the organizer's name as CN, else the event's name.
    DTSTART/DTEND carry the zone the time was written in; an offset date-time, and a local time
    that happens twice (a DST fold: libical reads it unlike RFC 5545 §3.3.5), are written in UTC.
    A calendar without sessions holds the VTIMEZONE of its own zone, since RFC 5545 requires a
    component. Same input, same bytes.

    The revision's tombstones are sessions shown cancelled (SPEC §6), their times in UTC: at
    `invites/<id>.ics` a METHOD:CANCEL to the invitees it went to; elsewhere a STATUS:CANCELLED
    VEVENT after the active ones of that PUBLISH calendar (by start, then id), which, for a
    person or delegation no longer in the file, holds only those.
    """
    default = Stamp(0, as_utc(revision.now, "now"))
    stamps = revision.stamps
    zones = Zones(*export_span(timetable, default.dtstamp))
    context = _Export(timetable, zones, _organizer_line(timetable))
    descriptions = Descriptions(timetable, zones)
    events = {
        slot.id: _build_event(slot, context, descriptions, stamps.get(slot.id, default))
        for slot in timetable.slots
    }
    blocks = {
        slot.id: _closed_block(slot, context, stamps.get(slot.id, default))
        for slot in timetable.slots
        if slot.session.is_closed
    }
    cancelled = _cancelled_events(revision.tombstones, context.organizer)
    files = _publish_files(context, events, cancelled, blocks)
    invited = invitations(timetable)
    for slot in timetable.slots:
        if slot.id in invited:
            files[invite_path(slot.id)] = _request(events[slot.id], invited[slot.id], zones)
    files.update(_leftover_files(context, cancelled, set(files)))
    return files


# ---- files ---------------------------------------------------------------------------------------


_Cancelled = dict[str, list[tuple[Tombstone, "_Event"]]]


def _publish_files(
    context: _Export,
    events: Mapping[str, _Event],
    cancelled: _Cancelled,
    blocks: Mapping[str, _Event],
) -> dict[str, bytes]:
    """Return the public, delegation and people calendars, each with its cancelled copies.

    The public one holds the public sessions and the busy blocks of the closed ones (`blocks`).
    """

    def held(path: str, active: list[_Event]) -> list[_Event]:
        return active + [event for _, event in cancelled.get(path, ())]

    timetable, zones = context.timetable, context.zones
    event = timetable.conference.event
    public = [
        blocks[slot.id] if slot.session.is_closed else events[slot.id]
        for slot in timetable.slots
        if not slot.session.is_restricted or slot.session.is_closed
    ]
    path = public_calendar_path(event.id)
    files = {path: _publish(event.name, event.tz_name, held(path, public), zones)}
    by_code, by_person = _events_by_party(timetable, events)
    for code in sorted(timetable.delegations):
        delegation, path = timetable.delegations[code], delegation_calendar_path(code)
        name = f"{event.name} — {delegation.name}"
        files[path] = _publish(name, delegation.tz_name, held(path, by_code[code]), zones)
    for person_id in sorted(timetable.people):
        person, path = timetable.people[person_id], person_calendar_path(person_id)
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


def _leftover_files(context: _Export, cancelled: _Cancelled, written: set[str]) -> dict[str, bytes]:
    """Return the files that hold only cancelled copies: CANCEL invitations, and the calendars
    of people or delegations no longer in the file. A path already written keeps its file.
    """
    event = context.timetable.conference.event
    files: dict[str, bytes] = {}
    for path, held in sorted(cancelled.items()):
        if path in written:
            continue
        if is_invite_path(path):
            tombstone, cancel = held[0]
            if tombstone.attendees:  # RFC 5546 §3.2.5: a CANCEL names whom it uninvites
                files[path] = _cancel(cancel, tombstone.attendees)
            continue
        name = f"{event.name} — {calendar_owner(path)}"
        files[path] = _publish(name, event.tz_name, [item for _, item in held], context.zones)
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


_REFRESH = line("REFRESH-INTERVAL", "PT1H", ";VALUE=DURATION")


def _publish(name: str, tz_name: str, events: list[_Event], zones: Zones) -> bytes:
    """Return a METHOD:PUBLISH calendar named `name` whose own zone is `tz_name`."""
    header = [
        line("METHOD", "PUBLISH"),
        line("NAME", escape_text(name)),
        line("X-WR-CALNAME", escape_text(name)),
        line("X-WR-TIMEZONE", escape_text(tz_name)),
        _REFRESH,  # a subscribed calendar asks again hourly (RFC 7986 §5.7)
        line("X-PUBLISHED-TTL", "PT1H"),  # the same, for Outlook
    ]
    tz_names = set().union(*(event.tz_names for event in events)) if events else {tz_name}
    timezones = [zones.vtimezone(zone_name) for zone_name in sorted(tz_names)]
    return _calendar(header, timezones, [event.whole for event in events])


def _request(event: _Event, attendees: Iterable[Attendee], zones: Zones) -> bytes:
    """Return one session as a METHOD:REQUEST invitation.

    No NAME or X-WR-*: an invitation is a message, not a calendar to subscribe to.
    """
    lines = [b"BEGIN:VEVENT\r\n", event.body, *map(_attendee_line, attendees), b"END:VEVENT\r\n"]
    timezones = [zones.vtimezone(tz_name) for tz_name in sorted(event.tz_names)]
    return _calendar([line("METHOD", "REQUEST")], timezones, [b"".join(lines)])


def _cancel(event: _Event, attendees: Iterable[Attendee]) -> bytes:
    """Return a cancelled session as a METHOD:CANCEL to the invitees it went to (UTC times)."""
    lines = [
        b"BEGIN:VEVENT\r\n",
        event.body,
        *(_attendee_line(attendee, reply=False) for attendee in attendees),
        b"END:VEVENT\r\n",
    ]
    return _calendar([line("METHOD", "CANCEL")], [], [b"".join(lines)])


def _calendar(header: list[bytes], timezones: list[bytes], events: list[bytes]) -> bytes:
    start = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + line("PRODID", PRODID)
    return b"".join(
        [start, b"CALSCALE:GREGORIAN\r\n", *header, *timezones, *events, b"END:VCALENDAR\r\n"]
    )


@lru_cache(maxsize=65536)  # the same people are invited to many sessions
def _attendee_line(attendee: Attendee, *, reply: bool = True) -> bytes:
    """Return an ATTENDEE line; `reply` asks for an answer (a REQUEST, not a CANCEL)."""
    asked = (("PARTSTAT", "NEEDS-ACTION"), ("RSVP", "TRUE")) if reply else ()
    parameters = params(
        ("CUTYPE", attendee.cutype), ("ROLE", attendee.role), *asked, ("CN", attendee.name)
    )
    return line("ATTENDEE", mailto(attendee.email), parameters)


def _organizer_line(timetable: Timetable) -> bytes:
    event = timetable.conference.event
    organizer = event.organizer
    email = organizer.email if organizer and organizer.email else f"noreply@{event.uid_domain}"
    name = organizer.name if organizer else event.name
    return line("ORGANIZER", mailto(email), params(("CN", name)))


# ---- one VEVENT ----------------------------------------------------------------------------------


def _build_event(slot: Slot, context: _Export, descriptions: Descriptions, stamp: Stamp) -> _Event:
    """Return a session's VEVENT, built once and reused in every file that holds it."""
    session, timetable = slot.session, context.timetable
    start, start_tz = _when("DTSTART", slot.start_utc, slot.start_tz, context.zones)
    end, end_tz = _when("DTEND", slot.end_utc, slot.end_tz, context.zones)
    lines = [
        line("UID", escape_text(session_uid(session.id, timetable.conference.event))),
        line("DTSTAMP", utc_time(as_utc(stamp.dtstamp, "dtstamp"))),
        start,
        end,
        line("SEQUENCE", str(int(stamp.sequence))),
        b"STATUS:CONFIRMED\r\n",
        line("SUMMARY", escape_text(session.title)),
        b"CLASS:PRIVATE\r\n" if session.is_restricted else b"CLASS:PUBLIC\r\n",
        line("CATEGORIES", escape_text(session.kind.value)),
        context.organizer,
    ]
    room = timetable.rooms.get(session.room) if session.room else None
    if room is not None:
        lines.append(line("LOCATION", escape_text(room.name)))
        if room.url:
            url = uri(room.url)
            conference = params(("VALUE", "URI"), ("FEATURE", "VIDEO"), ("LABEL", room.name))
            lines += [line("URL", url), line("CONFERENCE", url, conference)]
    lines.append(line("DESCRIPTION", escape_text(descriptions.describe(slot))))
    body = b"".join(lines)
    tz_names = frozenset(name for name in (start_tz, end_tz) if name is not None)
    return _Event(body, b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n", tz_names)


def _closed_block(slot: Slot, context: _Export, stamp: Stamp) -> _Event:
    """Return a closed session's busy block (SPEC §7): its times, and nothing of the session.

    It has its own UID and the session's SEQUENCE and DTSTAMP: a revision covers both alike.
    The event's ORGANIZER (not the session's) is there because RFC 5546 §3.2.1 requires one in
    every PUBLISH VEVENT; libical refuses the block without it.
    """
    start, start_tz = _when("DTSTART", slot.start_utc, slot.start_tz, context.zones)
    end, end_tz = _when("DTEND", slot.end_utc, slot.end_tz, context.zones)
    event = context.timetable.conference.event
    lines = [
        line("UID", escape_text(closed_block_uid(slot.id, event))),
        line("DTSTAMP", utc_time(as_utc(stamp.dtstamp, "dtstamp"))),
        start,
        end,
        line("SEQUENCE", str(int(stamp.sequence))),
        b"STATUS:CONFIRMED\r\n",
        line("SUMMARY", escape_text(CLOSED_SUMMARY)),
        b"CLASS:CONFIDENTIAL\r\n",
        b"TRANSP:OPAQUE\r\n",
        context.organizer,
    ]
    body = b"".join(lines)
    tz_names = frozenset(name for name in (start_tz, end_tz) if name is not None)
    return _Event(body, b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n", tz_names)


def _cancelled_event(tombstone: Tombstone, organizer: bytes) -> _Event:
    """Return a STATUS:CANCELLED VEVENT: what its file last showed, times in UTC."""
    lines = [
        line("UID", escape_text(tombstone.uid)),
        line("DTSTAMP", utc_time(as_utc(tombstone.stamp.dtstamp, "dtstamp"))),
        line("DTSTART", utc_time(tombstone.start_utc)),
        line("DTEND", utc_time(tombstone.end_utc)),
        line("SEQUENCE", str(int(tombstone.stamp.sequence))),
        b"STATUS:CANCELLED\r\n",
        line("SUMMARY", escape_text(tombstone.title)),
        b"CLASS:PRIVATE\r\n" if tombstone.restricted else b"CLASS:PUBLIC\r\n",
        organizer,
    ]
    body = b"".join(lines)
    return _Event(body, b"BEGIN:VEVENT\r\n" + body + b"END:VEVENT\r\n", frozenset())


def _when(name: str, instant: datetime, tz_name: str, zones: Zones) -> tuple[bytes, str | None]:
    """Return a DTSTART/DTEND line in the zone it was written in, and that zone (None for UTC)."""
    if tz_name == UTC_NAME:
        return line(name, utc_time(instant)), None
    clock = zones[tz_name]
    wall = clock.local_wall(instant)[0]
    if is_repeated(clock, wall):
        return line(name, utc_time(instant)), None
    return line(name, local_time(wall), params(("TZID", tz_name))), tz_name
