"""The DESCRIPTION of a session's VEVENT: kind, room, link, languages, local times, people, notes.

The dates are the agendas' (`dates.day_heading`); the times are read from the export's own zone
tables (`export.vtimezone`), so the text says what a calendar client computes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vconf.dates import day_heading
from vconf.export.vtimezone import Zones, local
from vconf.model import Person
from vconf.timetable import Slot, Timetable
from vconf.timezones import format_offset

_NAMED_DELEGATIONS = 12  # past this many, a session's description lists delegations by code


class Descriptions:
    """The descriptions of one export's sessions; parallel sessions share their local times."""

    def __init__(self, timetable: Timetable, zones: Zones):
        self.timetable, self.zones = timetable, zones
        self._spans: dict[tuple[str, datetime, datetime], tuple[int, str]] = {}
        self._labels: dict[str, list[str]] = {}  # each zone's label per offset period

    def describe(self, slot: Slot) -> str:
        """Return a session's text: kind, room, link, languages, local times, people, notes."""
        timetable, session = self.timetable, slot.session
        room = timetable.rooms.get(session.room) if session.room else None
        kind = session.kind.value.replace("-", " ").capitalize()
        lines = [f"{kind} (restricted to its own parties)" if session.is_restricted else kind]
        if room is not None:
            lines.append(f"Room: {room.name}")
            if room.url:
                lines.append(f"Join: {room.url}")
        if session.languages:
            lines.append(f"Languages: {', '.join(session.languages)}")
        lines += ["", "Local times:", *self._local_time_lines(slot)]
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

    def _local_time_lines(self, slot: Slot) -> list[str]:
        """Return the event zone's time, then one line per distinct local time with its delegations.

        Delegations that read the same clock share a line, west to east, so a session for every
        delegation stays short; past `_NAMED_DELEGATIONS` they are named by code only.
        """
        timetable = self.timetable
        event = timetable.conference.event
        delegations = [timetable.delegations[code] for code in slot.delegations]
        named = len(delegations) <= _NAMED_DELEGATIONS
        groups: dict[tuple[int, str], list[str]] = {}
        for delegation in delegations:
            span = self._span(delegation.tz_name, slot.start_utc, slot.end_utc)
            groups.setdefault(span, []).append(
                f"{delegation.name} ({delegation.code})" if named else delegation.code
            )
        event_span = self._span(event.tz_name, slot.start_utc, slot.end_utc)[1]
        separator = "; " if named else ", "
        return [
            f"Event time ({event.tz_name}): {event_span}",
            *(f"{span[1]}: {separator.join(labels)}" for span, labels in sorted(groups.items())),
        ]

    def _span(self, tz_name: str, start_utc: datetime, end_utc: datetime) -> tuple[int, str]:
        """Return the start's offset and `Tue 16 Nov 2021 14:00-14:45 (WIB, UTC+07:00)`."""
        key = (tz_name, start_utc, end_utc)
        if key not in self._spans:  # parallel sessions share their times
            self._spans[key] = self._span_text(tz_name, start_utc, end_utc)
        return self._spans[key]

    def _span_text(self, tz_name: str, start_utc: datetime, end_utc: datetime) -> tuple[int, str]:
        clock = self.zones[tz_name]
        (start, first), (end, last) = local(clock, start_utc), local(clock, end_utc)
        start_text = f"{day_heading(start)} {start.hour:02d}:{start.minute:02d}"
        end_text = f"{end.hour:02d}:{end.minute:02d}"
        if end.date() != start.date():
            end_text = f"{day_heading(end)} {end_text}"
        labels = self._labels.get(tz_name)
        if labels is None:
            labels = self._labels[tz_name] = list(map(_label, clock.offsets, clock.abbreviations))
        if clock.offsets[first] == clock.offsets[last]:
            return clock.offsets[first], f"{start_text}-{end_text} ({labels[first]})"
        both = f"{start_text} ({labels[first]}) to {end_text} ({labels[last]})"
        return clock.offsets[first], both


def _label(offset: int, name: str) -> str:
    """Return `WIB, UTC+07:00`, or `UTC+07:00` for a numeric abbreviation such as `+07`."""
    utc = f"UTC{format_offset(timedelta(seconds=offset))}"
    return f"{name}, {utc}" if name and name[0] not in "+-" else utc


def _person_label(person: Person) -> str:
    return f"{person.name} ({person.delegation})" if person.delegation else person.name
