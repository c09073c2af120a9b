"""The words every output shares: dates, clock times, zone headings, time spans, people, counts.

Plain strings only (no rich, no markup), so the text, Markdown and HTML renderers escape them
their own way and say the same things.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from vconf.agenda import Agenda, AgendaDay, LocalSpan
from vconf.dates import day_heading as day_heading
from vconf.model import Kind, Room, Session
from vconf.timetable import Slot, Timetable

EN_DASH = "\u2013"
ARROW = "\u2192"
RESTRICTED = "restricted"
SESSION_HEADING = "Session"
ROOM_HEADING = "Room"
PEOPLE_HEADING = "People"


def zone_headings(agenda: Agenda, day: AgendaDay) -> list[str]:
    """Return one column heading per zone of the agenda, with the abbreviations used that day."""
    headings = []
    for column, tz_name in enumerate(agenda.tz_names):
        spans = (row.spans[column] for row in day.rows)
        headings.append(zone_heading(tz_name, _abbreviations(spans)))
    return headings


def _abbreviations(spans: Iterable[LocalSpan]) -> list[str]:
    """Return the zone abbreviations of the spans' starts and ends, first seen first."""
    seen: dict[str, None] = {}
    for span in spans:
        for moment in (span.start, span.end):
            seen.setdefault(moment.tzname() or "", None)
    return [name for name in seen if name]


def zone_heading(tz_name: str, abbreviations: Iterable[str]) -> str:
    """Return `Jakarta (WIB)`, `New York (EST/EDT)` or `UTC` for a zone and its abbreviations."""
    city = city_of(tz_name)
    shown = "/".join(name for name in abbreviations if name != city)
    return f"{city} ({shown})" if shown else city


def city_of(tz_name: str) -> str:
    """Return `New York` for `America/New_York`: the last part of the zone name, in words."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def span_text(span: LocalSpan) -> str:
    """Return `14:00-14:45` (an en dash), marking a time on another date with `+1`/`-1`.

    The end carries its own marker; the start carries one only when it differs from the end's,
    so `02:00-02:45 -1` is wholly on the day before and `23:00-00:30 +1` ends on the next day.
    """
    end, end_shift = _shown_end(span)
    start = clock_text(span.start)
    if span.start_shift not in (0, end_shift):
        start += f" {span.start_shift:+d}"
    if end_shift:
        end += f" {end_shift:+d}"
    return f"{start}{EN_DASH}{end}"


def _shown_end(span: LocalSpan) -> tuple[str, int]:
    """Return the end's clock time and its date shift; `24:00` is on the start's date."""
    end, _ = end_clock(span.start, span.end)
    return end, span.start_shift if end == "24:00" else span.end_shift


def end_clock(start: datetime, end: datetime) -> tuple[str, date]:
    """Return the end's clock time and the date it is shown on, both local times of one zone.

    An end at the midnight after the start's date is `24:00` of that date, as SPEC §2 counts it.
    """
    clock = clock_text(end)
    if clock == "00:00" and end.date() == start.date() + timedelta(days=1):
        return "24:00", start.date()
    return clock, end.date()


def has_shifted_times(agenda: Agenda) -> bool:
    """Whether any time of the agenda is marked `+1`/`-1` (on another date than its row)."""
    return any(span.start_shift or _shown_end(span)[1] for row in agenda.rows for span in row.spans)


def clock_text(moment: datetime) -> str:
    """Return `14:00`, with the seconds only when they are not zero."""
    clock = f"{moment.hour:02d}:{moment.minute:02d}"  # not strftime: 4x faster on big agendas
    return f"{clock}:{moment.second:02d}" if moment.second else clock


def kind_label(session: Session) -> str:
    """Return the session's kind as written (`plenary`), or '' for the default `other`."""
    return "" if session.kind is Kind.OTHER else session.kind.value


def room_of(timetable: Timetable, session: Session) -> Room | None:
    """Return the session's room, or None when it has none."""
    return timetable.rooms[session.room] if session.room is not None else None


def is_web_url(url: str | None) -> bool:
    """Whether a URL is http(s), the only kind written as a link."""
    return url is not None and url[:8].lower().startswith(("http://", "https://"))


def people_labels(timetable: Timetable, slot: Slot) -> list[str]:
    """Return `Name (CODE, moderator)` per person: speakers, moderators, attendees, as written."""
    session = slot.session
    labels = []
    for person_id in dict.fromkeys((*session.speakers, *session.moderators, *session.attendees)):
        person = timetable.people[person_id]
        notes = [person.delegation] if person.delegation else []
        if person_id in session.moderators:
            notes.append("moderator")
        labels.append(f"{person.name} ({', '.join(notes)})" if notes else person.name)
    return labels


def party_name(agenda: Agenda) -> str:
    """Return `Viet Nam (VN)`, a person's name, or '' for the organiser's view."""
    timetable = agenda.timetable
    if agenda.delegation is not None:
        return f"{timetable.delegations[agenda.delegation].name} ({agenda.delegation})"
    if agenda.person is not None:
        return timetable.people[agenda.person].name
    return ""


def no_sessions_line(agenda: Agenda) -> str:
    """Return the line shown instead of an empty agenda, naming the party."""
    party = party_name(agenda)
    return f"No sessions for {party}." if party else "No sessions in this event."


def times_notes(agenda: Agenda) -> list[str]:
    """Return the line explaining `+1`/`-1` when the agenda uses them, else no line."""
    if not has_shifted_times(agenda):
        return []
    city = zone_heading(agenda.tz_names[0], ())
    return [f"Dates are in {city} time; +1/-1 marks a time on the next/previous date."]


def counted_noun(number: int, one: str, many: str | None = None) -> str:
    """Return `1 error` or `3 errors`; `many` is the plural when it is not `one` + s."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


def whole_minutes(length: timedelta) -> int:
    """Return a length in whole minutes, rounded down."""
    return int(length.total_seconds() // 60)
