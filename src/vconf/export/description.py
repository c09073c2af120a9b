"""The DESCRIPTION of a session's VEVENT: its description, who speaks, then its local times.

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
        """Return a session's text: its description and who speaks, then the local times.

        LOCATION and URL already carry the room and the link, so they are not repeated; the
        local times are a few lines, one per UTC offset, so a calendar's preview shows first what
        the session is about.
        """
        timetable, session = self.timetable, slot.session
        lines = [session.description.strip()] if session.description.strip() else []
        for label, person_ids in (
            ("Speakers", session.speakers),
            ("Moderators", session.moderators),
            ("Attendees", session.attendees),
            ("Interpreters", session.interpreters),
        ):
            if person_ids:
                names = "; ".join(_person_label(timetable.people[person]) for person in person_ids)
                lines.append(f"{label}: {names}")
        notes = []
        if session.is_restricted:
            notes.append("Restricted to its own parties.")
        if session.languages:
            notes.append(f"Languages: {', '.join(session.languages)}.")
        if notes:
            lines.append(" ".join(notes))
        if lines:
            lines.append("")
        lines += self._local_time_lines(slot)
        return "\n".join(lines)

    def _local_time_lines(self, slot: Slot) -> list[str]:
        """Return one line per UTC offset, west to east: its time, then its delegations.

        The event zone's line comes first when no delegation reads its clock. Labels are UTC
        offsets, never abbreviations (`PST` in Manila and `CST` in Beijing read as US zones);
        past `_NAMED_DELEGATIONS` delegations are named by code only.
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
        event_span = self._span(event.tz_name, slot.start_utc, slot.end_utc)
        lines = [] if event_span in groups else [f"{event_span[1]}: event time ({event.tz_name})"]
        lines += [f"{span[1]}: {', '.join(labels)}" for span, labels in sorted(groups.items())]
        # the event's day once, in the heading; a line on another day keeps its own
        day = day_heading(local(self.zones[event.tz_name], slot.start_utc)[0]) + " "
        return [f"Local times ({day.strip()}):"] + [line.removeprefix(day) for line in lines]

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
    """Return `UTC+07:00`: an offset reads one way everywhere, an abbreviation does not."""
    del name  # `PST` in Manila and `CST` in Beijing read as US zones
    return f"UTC{format_offset(timedelta(seconds=offset))}"


def _person_label(person: Person) -> str:
    return f"{person.name} ({person.delegation})" if person.delegation else person.name
