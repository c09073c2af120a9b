"""The JSON outputs of SPEC §4 (check, agenda, zones, slots), written key by key; no rich here.

Keys may be added, never renamed: each dict below is the contract, so no `dataclasses.asdict`.
Every document is one line ending with a newline (`json_line`); instants are `utc_text`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from vconf.agenda import Agenda, AgendaRow
from vconf.checks import Problem
from vconf.files import CLOSED_SUMMARY
from vconf.interpretation import plans_interpretation, session_channels
from vconf.model import Visibility
from vconf.planning import ClockChangeRow, OutsideHours, Proposal, ZoneGrid, ZoneRow
from vconf.render.words import whole_minutes
from vconf.timetable import Slot, Timetable
from vconf.timezones import format_offset, utc_text, utc_to_local

# ---- check -------------------------------------------------------------------------------------


def problems_as_json(problems: list[Problem], timetable: Timetable) -> str:
    """Return the `vconf check --format json` document (SPEC §4)."""
    errors = sum(1 for problem in problems if problem.is_error)
    # each instant written once: 60,000 problems of 20,000 sessions start at 9,000 instants
    starts = {start: utc_text(start) for start in {problem.first_start for problem in problems}}
    document = {
        "event": timetable.conference.event.id,
        "sessions": len(timetable.slots),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [_problem(problem, starts) for problem in problems],
    }
    return json_line(document)


def _problem(problem: Problem, starts: dict[datetime, str]) -> dict[str, Any]:
    """Return one problem; `sessions` is already earliest start first, ties by id."""
    return {
        "kind": problem.kind.value,
        "severity": problem.severity.value,
        "subject": problem.subject,
        "sessions": list(problem.sessions),
        "message": problem.message,
        "first_start": starts[problem.first_start],
    }


# ---- agenda ------------------------------------------------------------------------------------


def agenda_as_json(agenda: Agenda) -> str:
    """Return the `vconf agenda --format json` document (SPEC §4), sessions by start then id.

    Keys after `local` (and `public`, `dates` at the top) are the SPEC §8 additions: roles,
    languages, description, the problems marked on the session, its parallel group's size, and
    the shown zones' clock changes before it.
    """
    event = agenda.timetable.conference.event
    sessions = []
    for day in agenda.days:
        for group in day.groups:
            for row in group.rows:
                if agenda.public and row.slot.session.is_closed:  # a busy block: times only
                    sessions.append(_closed_block(row.slot))
                else:
                    sessions.append(_agenda_session(agenda.timetable, row, len(group.rows)))
    document = {
        "event": event.id,
        "name": event.name,
        "delegation": agenda.delegation,
        "person": agenda.person,
        "timezones": list(agenda.tz_names),
        "sessions": sessions,
        "public": agenda.public,
        "dates": [day.isoformat() for day in agenda.dates],
    }
    return json_line(document)


def _closed_block(slot: Slot) -> dict[str, Any]:
    """Return a closed session's busy block in a public agenda (SPEC §8): its times only."""
    return {
        "id": slot.id,
        "title": CLOSED_SUMMARY,
        "start": utc_text(slot.start_utc),
        "end": utc_text(slot.end_utc),
        "visibility": Visibility.CLOSED.value,
    }


def _agenda_session(timetable: Timetable, row: AgendaRow, parallel: int) -> dict[str, Any]:
    """Return one session: the SPEC §4 keys, then the §8 ones."""
    session = row.slot.session
    document = _session(timetable, row.slot)
    document["speakers"] = list(session.speakers)
    document["moderators"] = list(session.moderators)
    document["attendees"] = list(session.attendees)
    document["languages"] = list(session.languages)
    document["description"] = session.description
    document["problems"] = [
        {
            "kind": mark.kind,
            "severity": "error" if mark.is_error else "warning",
            "subject": mark.subject,
        }
        for mark in row.marks
    ]
    document["parallel"] = parallel
    document["clock_changes"] = [
        {
            "timezone": shift.tz_name,
            "utc": utc_text(shift.change.utc),
            "offset_before": format_offset(shift.change.offset_before),
            "offset_after": format_offset(shift.change.offset_after),
        }
        for shift in row.shifts
    ]
    return document


def _session(timetable: Timetable, slot: Slot) -> dict[str, Any]:
    """Return one session: UTC times, and its local times for each of its delegations."""
    session = slot.session
    return {
        "id": session.id,
        "title": session.title,
        "kind": session.kind.value,
        "start": utc_text(slot.start_utc),
        "end": utc_text(slot.end_utc),
        "room": session.room,
        "visibility": session.visibility.value,
        "delegations": list(slot.delegations),
        "people": list(slot.people),
        "local": _local_times(timetable, slot),
        **_interpretation(timetable, slot),
    }


def _interpretation(timetable: Timetable, slot: Slot) -> dict[str, Any]:
    """Return the session's interpretation channels (SPEC §7), only when the file plans any."""
    if not plans_interpretation(timetable):
        return {}
    return {
        "interpreters": list(slot.session.interpreters),
        "interpretation": [
            {
                "floor": channel.floor,
                "target": channel.target,
                "interpreters": [person.id for person in channel.interpreters],
            }
            for channel in session_channels(slot, timetable)
        ],
    }


def _local_times(timetable: Timetable, slot: Slot) -> dict[str, Any]:
    """Return `{CODE: {timezone, start, end}}` per delegation of the slot, codes sorted."""
    by_zone: dict[str, dict[str, str]] = {}  # many delegations share a zone: convert once
    local = {}
    for code in sorted(slot.delegations):
        tz_name = timetable.delegations[code].tz_name
        if tz_name not in by_zone:
            by_zone[tz_name] = {
                "timezone": tz_name,
                "start": utc_to_local(slot.start_utc, tz_name).isoformat(),
                "end": utc_to_local(slot.end_utc, tz_name).isoformat(),
            }
        local[code] = dict(by_zone[tz_name])
    return local


# ---- zones -------------------------------------------------------------------------------------


def zone_grid_as_json(grid: ZoneGrid) -> str:
    """Return the `vconf zones --format json` document.

    `delegations` are in grid order (UTC offset on the day, then code); `clock_changes` by
    instant, then zone, from `first_day` to `clock_changes_last_day` (the event's first 366 days
    at most). `grid` holds the 24 hour states of the text grid.
    """
    document = {
        "event": grid.event.id,
        "date": grid.day.isoformat(),
        "timezone": grid.event.tz_name,
        "offset": format_offset(grid.offset),
        "abbreviation": grid.abbreviation,
        "first_day": grid.first_day.isoformat(),
        "last_day": grid.last_day.isoformat(),
        "clock_changes_last_day": grid.clock_changes_last_day.isoformat(),
        "delegations": [_zone_row(row) for row in grid.rows],
        "clock_changes": [_clock_change(change) for change in grid.clock_changes],
    }
    return json_line(document)


def _zone_row(row: ZoneRow) -> dict[str, Any]:
    """Return one delegation of the grid; hours in the event zone are ISO times with offsets."""
    delegation = row.delegation
    return {
        "code": delegation.code,
        "name": delegation.name,
        "timezone": delegation.tz_name,
        "offset": format_offset(row.offset),
        "abbreviation": row.abbreviation,
        "hours": str(delegation.hours),
        "hours_in_event_zone": {
            "start": row.hours_start_local.isoformat(),
            "end": row.hours_end_local.isoformat(),
        },
        "grid": [cell.value for cell in row.cells],
    }


def _clock_change(row: ClockChangeRow) -> dict[str, Any]:
    """Return one clock change: the instant in UTC, wall times and offsets either side."""
    change = row.change
    return {
        "timezone": row.tz_name,
        "at": utc_text(row.at_utc),
        "local_before": row.local_before.isoformat(),
        "local_after": row.local_after.isoformat(),
        "offset_before": format_offset(change.offset_before),
        "offset_after": format_offset(change.offset_after),
        "abbreviation_before": change.abbreviation_before,
        "abbreviation_after": change.abbreviation_after,
        "delegations": list(row.delegations),
    }


# ---- slots -------------------------------------------------------------------------------------


def proposals_as_json(proposals: tuple[Proposal, ...], timetable: Timetable) -> str:
    """Return the `vconf slots --format json` document, proposals best first.

    `clashes` are session ids by start, then id (those sharing a requested delegation);
    `outside` and `local` are by delegation code.
    """
    first = proposals[0] if proposals else None
    document = {
        "event": timetable.conference.event.id,
        "duration_minutes": whole_minutes(first.end_utc - first.start_utc) if first else None,
        "delegations": list(first.delegations) if first else [],
        "proposals": [_proposal(proposal, timetable) for proposal in proposals],
    }
    return json_line(document)


def _proposal(proposal: Proposal, timetable: Timetable) -> dict[str, Any]:
    """Return one proposal: UTC and event-zone times, its score, who is outside."""
    tz_name = timetable.conference.event.tz_name
    return {
        "start": utc_text(proposal.start_utc),
        "end": utc_text(proposal.end_utc),
        "start_local": utc_to_local(proposal.start_utc, tz_name).isoformat(),
        "end_local": utc_to_local(proposal.end_utc, tz_name).isoformat(),
        "inside": proposal.inside,
        "outside_minutes": proposal.minutes_outside,
        "clashes": list(proposal.clashes),
        "outside": [_outside_hours(outside) for outside in proposal.outside],
        "local": [
            {
                "delegation": span.delegation,
                "local_start": span.start_local.isoformat(),
                "local_end": span.end_local.isoformat(),
            }
            for span in proposal.local
        ],
    }


def _outside_hours(outside: OutsideHours) -> dict[str, Any]:
    """Return one delegation outside its hours, with the session in its local time."""
    return {
        "delegation": outside.delegation,
        "minutes": outside.minutes,
        "local_start": outside.start_local.isoformat(),
        "local_end": outside.end_local.isoformat(),
        "non_working_day": outside.non_working_day,
    }


# ---- one line of JSON --------------------------------------------------------------------------


def json_line(document: dict[str, Any]) -> str:
    """Return the document as one line of JSON (UTF-8 text, not \\u escapes) and a newline.

    Not indented: with `indent` the standard library falls back to its pure-Python encoder, four
    times slower on the 25 MB agenda of 20,000 sessions; `jq .` indents it for a reader.
    """
    return json.dumps(document, ensure_ascii=False) + "\n"
