"""What changed since the last export (SPEC §6), as plain words and as JSON; no rich here.

`vconf.render.text.changes_as_text` lays these words out for the terminal. A changed session
reads `panel-2: 15:15 → 15:45 WIB, room room-2 → room-4`: times in the event's zone, then each
other field that changed (`revisions.CONTENT_FIELDS`).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from vconf.render.json import json_line
from vconf.render.words import ARROW, MIDDLE_DOT, counted_noun, day_heading
from vconf.revisions import ChangeKind, FieldChange, Revision, SessionChange
from vconf.timetable import Timetable
from vconf.timezones import (
    local_label,
    parse_utc,
    utc_text,
    utc_to_local,
)

LISTED_KINDS = (ChangeKind.NEW, ChangeKind.RESTORED, ChangeKind.CHANGED, ChangeKind.CANCELLED)
_FIXED_WORDS = {
    "room-details": "the room's name or link",
    "people-details": "names or addresses of its people",
    "delegation-details": "names, zones or contacts of its delegations",
    "description": "description",
    "event": "event zone or organizer",
}


def listed_changes(revision: Revision) -> tuple[SessionChange, ...]:
    """Return the changes to list one by one: none on a first export or after a reset (every
    session is new then, and the heading counts them), else all but the unchanged ones.
    """
    if revision.is_first_export or revision.reset is not None:
        return ()
    return tuple(change for change in revision.changes if change.kind in LISTED_KINDS)


def changes_heading(revision: Revision, *, directory: str, dry_run: bool = False) -> str:
    """Return the line above the change list: since when, and whether anything is written."""
    prefix = "Dry run, nothing written. " if dry_run else ""
    sessions = counted_noun(
        len(revision.changes) - len(revision.of_kind(ChangeKind.CANCELLED)), "session"
    )
    if revision.reset is not None:
        return f"{prefix}Started afresh in {directory}: {sessions} new."
    if revision.is_first_export:
        issued = "would be issued" if dry_run else "issued"
        return f"{prefix}First export into {directory}: {sessions} {issued}."
    since = f" ({_utc_minute(revision.last_issued)})" if revision.last_issued else ""
    return f"{prefix}Changes since the last export into {directory}{since}:"


def changes_notes(revision: Revision, *, dry_run: bool = False) -> list[str]:
    """Return the notes under the heading: an interrupted export finished, a state reset."""
    notes = []
    if revision.interrupted:
        finish = "an export would finish it" if dry_run else "this run finishes it"
        notes.append(f"The last export stopped before all its files were written; {finish}.")
    reset = revision.reset
    if reset is not None:
        kept = "would be kept" if dry_run else "is kept"
        notes.append(f"The earlier state {kept} as .vconf/{reset.backup}.")
        calendar = (revision.event_id, revision.uid_domain)
        if reset.calendar is not None and reset.calendar != calendar:
            notes.append(_new_calendar_note(reset.calendar, calendar))
    return notes


def _new_calendar_note(old: tuple[str, str], new: tuple[str, str]) -> str:
    return (
        f"This is a new calendar: event {old[0]} (UIDs @{old[1]}) is now {new[0]} "
        f"(UIDs @{new[1]}), so every UID changed; calendars that imported the earlier files "
        "keep those events until they are removed there."
    )


def changes_tally(revision: Revision) -> str:
    """Return `1 new, 1 changed, 15 unchanged.`: each kind that occurs, and the unchanged."""
    counts = {kind: len(revision.of_kind(kind)) for kind in ChangeKind}
    if not any(counts[kind] for kind in LISTED_KINDS):
        return f"No changes: {counted_noun(counts[ChangeKind.UNCHANGED], 'session')} unchanged."
    parts = [f"{counts[kind]} {kind.value}" for kind in LISTED_KINDS if counts[kind]]
    return ", ".join([*parts, f"{counts[ChangeKind.UNCHANGED]} unchanged"]) + "."


def change_text(change: SessionChange, timetable: Timetable) -> str:
    """Return one change as words: `panel-2: 15:15 → 15:45 WIB, room room-2 → room-4 · SMEs
    online, Tue 16 Nov 2021`; a changed session is named by its title and day too, so that the
    reader knows it without its id (the day alone when the title is what changed)."""
    text = f"{change.session_id}: {change_summary(change, timetable)}"
    slot = timetable.by_id.get(change.session_id)
    if change.kind is ChangeKind.CHANGED and slot is not None:
        day = day_heading(utc_to_local(slot.start_utc, timetable.conference.event.tz_name).date())
        retitled = any(field.name == "title" for field in change.fields)
        text += f"{MIDDLE_DOT}{day}" if retitled else f"{MIDDLE_DOT}{slot.session.title}, {day}"
    return text


def change_summary(change: SessionChange, timetable: Timetable) -> str:
    """Return what happened to a session: the changed fields, or its title and time."""
    tz_name = timetable.conference.event.tz_name
    slot = timetable.by_id.get(change.session_id)
    if change.kind is ChangeKind.CANCELLED or slot is None:
        return f"{change.title} (was {_moment(change.start_utc, tz_name)})"
    if change.kind is ChangeKind.CHANGED:
        return fields_text(change.fields, tz_name)
    when = f"{_moment(slot.start_utc, tz_name, zone=False)}-{_clock(slot.end_utc, tz_name)}"
    text = f"{change.title} ({when} {_zone_label(slot.start_utc, tz_name)})"
    if change.fields:  # a restored session that also changed since it was cancelled
        text += f"; {fields_text(change.fields, tz_name)}"
    return text


def fields_text(fields: tuple[FieldChange, ...], tz_name: str) -> str:
    """Return the changed fields as words, times first, in the event zone `tz_name`."""
    by_name = {change.name: change for change in fields}
    phrases = []
    if "start" in by_name and "end" in by_name:
        phrases.append(_times_phrase(by_name.pop("start"), by_name.pop("end"), tz_name))
    phrases += [_field_phrase(change) for change in by_name.values()]
    return ", ".join(phrases) or "changed"


def _times_phrase(start: FieldChange, end: FieldChange, tz_name: str) -> str:
    """Return `15:15 → 15:45 WIB`; the ends too when the length changed, the dates when the day
    did, each zone label when they differ (a clock change in between).
    """
    before_start, after_start = parse_utc(start.before), parse_utc(start.after)
    before_end, after_end = parse_utc(end.before), parse_utc(end.after)
    same_length = before_end - before_start == after_end - after_start
    dated = utc_to_local(before_start, tz_name).date() != utc_to_local(after_start, tz_name).date()

    def shown(first: datetime, last: datetime) -> str:
        text = _moment(first, tz_name, zone=False) if dated else _clock(first, tz_name)
        return text if same_length else f"{text}-{_clock(last, tz_name)}"

    old, new = shown(before_start, before_end), shown(after_start, after_end)
    old_zone, new_zone = _zone_label(before_start, tz_name), _zone_label(after_start, tz_name)
    if old_zone != new_zone:
        old += f" {old_zone}"
    return f"{old} {ARROW} {new} {new_zone}"


def _field_phrase(change: FieldChange) -> str:
    """Return one changed field other than the times as words."""
    name, before, after = change.name, change.before, change.after
    if name in _FIXED_WORDS:
        return _FIXED_WORDS[name]
    if name == "title":
        return f"title {_quoted(before)} {ARROW} {_quoted(after)}"
    if name == "people":
        return f"people {_members_phrase(before, after)}"
    if name == "delegations":
        return f"delegations {_members_phrase(before, after)}"
    if name == "zones":
        return f"time zone {_first(before)} {ARROW} {_first(after)}"
    if name == "languages":
        return f"languages {_listed(before)} {ARROW} {_listed(after)}"
    return f"{name} {before or 'none'} {ARROW} {after or 'none'}"  # kind, room, visibility


def _members_phrase(before: str, after: str) -> str:
    """Return `+a, -b, c speaker → moderator` from `role:id` or code lists."""
    old, new = _roles(before), _roles(after)
    parts = [f"+{member}" for member in new if member not in old]
    parts += [f"-{member}" for member in old if member not in new]
    parts += [
        f"{member} {'/'.join(old[member])} {ARROW} {'/'.join(new[member])}"
        for member in new
        if member in old and old[member] != new[member]
    ]
    return ", ".join(parts) or "(order)"


def _roles(text: str) -> dict[str, list[str]]:
    """Return each member's roles, in written order, from `role:id` tokens or bare codes."""
    roles: dict[str, list[str]] = {}
    for token in text.split():
        role, _, member = token.rpartition(":")
        roles.setdefault(member, [])
        if role:
            roles[member].append(role)
    return roles


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # quotes inside the title stay readable


def _first(zones: str) -> str:
    return zones.split(" ", 1)[0] if zones else "none"


def _listed(values: str) -> str:
    return ", ".join(values.split()) or "none"


def _moment(instant: datetime, tz_name: str, *, zone: bool = True) -> str:
    """Return `Tue 16 Nov 2021 15:00 WIB` (the zone label only with `zone`)."""
    local = utc_to_local(instant, tz_name)
    text = f"{day_heading(local.date())} {local.hour:02d}:{local.minute:02d}"
    return f"{text} {_zone_label(instant, tz_name)}" if zone else text


def _clock(instant: datetime, tz_name: str) -> str:
    local = utc_to_local(instant, tz_name)
    return f"{local.hour:02d}:{local.minute:02d}"


def _zone_label(instant: datetime, tz_name: str) -> str:
    """Return `WIB`, or `UTC+07:00` where the abbreviation is a number (`+07`) or names two
    offsets (`CST`)."""
    return local_label(utc_to_local(instant, tz_name))


def _utc_minute(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# ---- JSON --------------------------------------------------------------------------------------


def changes_as_json(
    revision: Revision, timetable: Timetable, *, directory: str, dry_run: bool = False
) -> str:
    """Return the change list as one line of JSON (keys may be added, never renamed).

    `new`, `restored`, `changed` and `cancelled` list sessions by start, then id; each gives its
    `id`, `title`, `start` (UTC), the `sequence` issued and the `summary` words; a changed or
    restored one gives its `fields` too (`field`, `before`, `after`, as the store keeps them).
    `unchanged` is a count.
    """
    reset = revision.reset
    document: dict[str, Any] = {
        "event": revision.event_id,
        "directory": directory,
        "dry_run": dry_run,
        "first_export": revision.is_first_export,
        "last_export": None if revision.last_issued is None else utc_text(revision.last_issued),
        "interrupted": revision.interrupted,
        "reset": None
        if reset is None
        else {"backup": reset.backup, "calendar": list(reset.calendar or ()) or None},
        "sessions": len(timetable.slots),
    }
    for kind in LISTED_KINDS:
        document[kind.value] = [
            _change_entry(change, timetable) for change in revision.of_kind(kind)
        ]
    document["unchanged"] = len(revision.of_kind(ChangeKind.UNCHANGED))
    return json_line(document)


def _change_entry(change: SessionChange, timetable: Timetable) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": change.session_id,
        "title": change.title,
        "start": utc_text(change.start_utc),
        "sequence": change.stamp.sequence,
        "summary": change_summary(change, timetable),
    }
    if change.kind in (ChangeKind.CHANGED, ChangeKind.RESTORED):
        entry["fields"] = [
            {"field": field.name, "before": field.before, "after": field.after}
            for field in change.fields
        ]
    return entry
