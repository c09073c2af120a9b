"""The JSON outputs of SPEC §4, written key by key; this module never imports rich.

Keys may be added, never renamed: each dict below is the contract, so no `dataclasses.asdict`.
Every document ends with a newline.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from vconf.agenda import Agenda
from vconf.checks import Problem
from vconf.timetable import Slot, Timetable
from vconf.timezones import utc_to_local


def problems_as_json(problems: list[Problem], timetable: Timetable) -> str:
    """Return the `vconf check --format json` document (SPEC §4)."""
    errors = sum(1 for problem in problems if problem.is_error)
    document = {
        "event": timetable.conference.event.id,
        "sessions": len(timetable.slots),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [_problem(problem) for problem in problems],
    }
    return _dump(document)


def _problem(problem: Problem) -> dict[str, Any]:
    """Return one problem; `sessions` is already earliest start first, ties by id."""
    return {
        "kind": problem.kind.value,
        "severity": problem.severity.value,
        "subject": problem.subject,
        "sessions": list(problem.sessions),
        "message": problem.message,
        "first_start": utc_text(problem.first_start),
    }


def agenda_as_json(agenda: Agenda) -> str:
    """Return the `vconf agenda --format json` document (SPEC §4), sessions by start then id."""
    event = agenda.timetable.conference.event
    document = {
        "event": event.id,
        "name": event.name,
        "delegation": agenda.delegation,
        "person": agenda.person,
        "timezones": list(agenda.tz_names),
        "sessions": [_session(agenda.timetable, row.slot) for row in agenda.rows],
    }
    return _dump(document)


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


def utc_text(instant: datetime) -> str:
    """Return `2021-11-16T07:00:00Z` for an aware instant."""
    if instant.utcoffset():  # an offset date-time keeps the offset it was written with
        instant = instant.astimezone(timezone.utc)
    return instant.replace(tzinfo=None).isoformat() + "Z"


def _dump(document: dict[str, Any]) -> str:
    """Return the document as one line of JSON (UTF-8 text, not \\u escapes) and a newline.

    Not indented: with `indent` the standard library falls back to its pure-Python encoder, four
    times slower on the 25 MB agenda of 20,000 sessions; `jq .` indents it for a reader.
    """
    return json.dumps(document, ensure_ascii=False) + "\n"
