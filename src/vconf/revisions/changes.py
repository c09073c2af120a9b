"""What changed: a timetable against the store's snapshot becomes a `Revision` (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from vconf.errors import VconfError
from vconf.files import (
    CLOSED_SUMMARY,
    closed_block_uid,
    invite_path,
    is_invite_path,
    public_calendar_path,
    session_uid,
)
from vconf.invitations import Attendee, invitations
from vconf.model import Event, Visibility
from vconf.revisions.records import (
    CONTENT_FIELDS,
    KIND_ORDER,
    ChangeKind,
    FieldChange,
    Record,
    Reset,
    Revision,
    SessionChange,
    Stamp,
    Status,
    Tombstone,
    content_hash,
    publish_paths,
    session_content,
)
from vconf.revisions.rows import Contents
from vconf.timetable import Slot, Timetable
from vconf.timezones import parse_utc

_TIMES = frozenset({"start", "end"})
_DETAILS = (
    ("room", "room-details"),
    ("people", "people-details"),
    ("delegations", "delegation-details"),
)
_UTC = timezone.utc


def plan_revision(
    contents: Contents,
    timetable: Timetable,
    *,
    now: datetime,
    directory: Path | None = None,
    reset: Reset | None = None,
    interrupted: bool = False,
) -> Revision:
    """Return what exporting `timetable` now issues, against what `contents` says was issued.

    Pure: reads the snapshot (`Store.contents`), writes nothing. Each session's invitees come
    from `invitations.session_attendees`; a session without any has no invitation file.
    `directory` (named in the error below), `reset` (the store set aside by --reset-state) and
    `interrupted` (a killed run's temporary files were found) say how the store was found. Raises
    a VconfError when the snapshot holds another event's calendar (another event id or
    uid_domain).
    """
    event = timetable.conference.event
    _check_calendar(contents, event, directory)
    now = _as_utc(now)
    tombstones = dict(contents.tombstones)
    planned = [*_plan_sessions(contents, timetable, now), *_plan_cancels(contents, timetable, now)]
    for change, previous, record in planned:
        if change.kind is not ChangeKind.UNCHANGED:
            _move_tombstones(tombstones, previous, record, event=event)
    changes = sorted(
        (change for change, _, _ in planned),
        key=lambda change: (KIND_ORDER[change.kind], change.start_utc, change.session_id),
    )
    records = [record for change, _, record in planned if change.kind is not ChangeKind.UNCHANGED]
    return Revision(
        event_id=event.id,
        uid_domain=event.uid_domain,
        now=now,
        changes=tuple(changes),
        tombstones=tuple(tombstones[key] for key in sorted(tombstones, key=lambda k: (k[1], k[0]))),
        records=tuple(records),
        is_first_export=contents.calendar is None and not contents.records,
        last_issued=contents.issued,
        interrupted=contents.pending or interrupted,
        reset=reset,
    )


_Planned = tuple[SessionChange, "Record | None", Record]  # a change, the record before and after


def _plan_sessions(contents: Contents, timetable: Timetable, now: datetime) -> Iterator[_Planned]:
    """Yield each session of the plan: new, restored, changed or unchanged."""
    memo: dict[tuple[str, ...], str] = {}
    invited = invitations(timetable)
    for slot in timetable.slots:
        current = _current_record(slot, timetable, invited.get(slot.id, ()), memo)
        previous = contents.records.get(slot.id)
        change, record = _issue(current, previous, now, contents.floors.get(current.uid))
        yield change, previous, record


def _plan_cancels(contents: Contents, timetable: Timetable, now: datetime) -> Iterator[_Planned]:
    """Yield each session issued before, still active, and no longer in the plan, by id."""
    for previous in sorted(contents.records.values(), key=lambda record: record.id):
        if previous.status is Status.ACTIVE and previous.id not in timetable.by_id:
            change, record = _cancel(previous, now)
            yield change, previous, record


def _check_calendar(contents: Contents, event: Event, directory: Path | None) -> None:
    """Refuse a store that holds another calendar: every UID would change (docs/revisions.md)."""
    if contents.calendar is None or contents.calendar == (event.id, event.uid_domain):
        return
    old_id, old_domain = contents.calendar
    raise VconfError(
        f"{directory or 'the output directory'} holds the calendar of event {old_id!r} (UIDs "
        f"…{old_id}@{old_domain}) but the file now says event {event.id!r} with uid_domain "
        f"{event.uid_domain!r}: that is a new calendar, since every UID changes and calendars "
        "that imported the earlier files would keep their events. Export into another "
        "directory with -o DIR, or run again with --reset-state to start the new calendar here "
        "(it keeps the old state as a backup)"
    )


def _current_record(
    slot: Slot,
    timetable: Timetable,
    attendees: tuple[Attendee, ...],
    memo: dict[tuple[str, ...], str],
) -> Record:
    """Return the record a session would have if issued now, stamp not yet decided."""
    event = timetable.conference.event
    content = session_content(slot, timetable, memo=memo)
    paths = publish_paths(slot, timetable)
    if attendees:
        paths = (*paths, invite_path(slot.id))
    return Record(
        id=slot.id,
        uid=session_uid(slot.id, event),
        stamp=Stamp(0, slot.start_utc),  # replaced by `_issue`
        hash=content_hash(content),
        content=content,
        status=Status.ACTIVE,
        paths=paths,
        attendees=attendees,
    )


def _issue(
    current: Record, previous: Record | None, now: datetime, floor: int | None
) -> tuple[SessionChange, Record]:
    """Return a session's change and the record to keep: new, restored, changed or unchanged."""
    if previous is None:
        stamp = Stamp(0 if floor is None else floor + 1, now)
        return _change(ChangeKind.NEW, current, stamp), replace(current, stamp=stamp)
    if previous.status is Status.ACTIVE and _same(previous, current):
        return _change(ChangeKind.UNCHANGED, current, previous.stamp), previous
    kind = ChangeKind.RESTORED if previous.status is Status.CANCELLED else ChangeKind.CHANGED
    stamp = Stamp(previous.stamp.sequence + 1, now)  # above anything issued, a cancel too
    fields = _changed_fields(previous.content, current.content)
    return _change(kind, current, stamp, fields), replace(current, stamp=stamp)


def _same(previous: Record, current: Record) -> bool:
    return (previous.uid, previous.hash, previous.paths, previous.attendees) == (
        current.uid,
        current.hash,
        current.paths,
        current.attendees,
    )


def _cancel(previous: Record, now: datetime) -> tuple[SessionChange, Record]:
    """Return the change and record of a session that left the plan: SEQUENCE + 1, now."""
    stamp = Stamp(previous.stamp.sequence + 1, now)
    record = replace(previous, stamp=stamp, status=Status.CANCELLED, paths=())
    return _change(ChangeKind.CANCELLED, previous, stamp), record


def _change(
    kind: ChangeKind, record: Record, stamp: Stamp, fields: tuple[FieldChange, ...] = ()
) -> SessionChange:
    content = record.content
    start = parse_utc(content["start"])
    return SessionChange(record.id, kind, stamp, content["title"], start, fields)


def _changed_fields(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[FieldChange, ...]:
    """Return the content fields that differ, in `CONTENT_FIELDS` order.

    The times go together: when the start or the end moved, both are listed. A `*-details`
    field is listed only when its room, people or delegations are the same ones.
    """
    names = {name for name in CONTENT_FIELDS if before.get(name, "") != after.get(name, "")}
    if names & _TIMES:
        names |= _TIMES
    for members, details in _DETAILS:
        if members in names:
            names.discard(details)  # others came or went: their details differ, said already
    return tuple(
        FieldChange(name, before.get(name, ""), after.get(name, ""))
        for name in CONTENT_FIELDS
        if name in names
    )


def _move_tombstones(
    tombstones: dict[tuple[str, str], Tombstone],
    previous: Record | None,
    record: Record,
    *,
    event: Event,
) -> None:
    """Update the cancelled copies of a session: a file that holds it again loses its copy; a
    file that held it and holds it no more gets one, stamped like the new issue, showing what
    that file last showed (so a party taken off a restricted session learns nothing new).
    """
    for path in record.paths:
        tombstones.pop((record.id, path), None)
    if previous is None or previous.status is not Status.ACTIVE:
        return
    content = previous.content
    public = public_calendar_path(event.id)
    was_closed = content["visibility"] == Visibility.CLOSED.value
    # the public file swaps the full event and the busy block when a session turns closed or
    # back: the one it showed, under its own UID, is cancelled there
    flipped = was_closed != (record.content["visibility"] == Visibility.CLOSED.value)
    for path in previous.paths:
        if path not in record.paths or (path == public and flipped):
            block = path == public and was_closed
            tombstones[(record.id, path)] = Tombstone(
                session_id=record.id,
                path=path,
                uid=closed_block_uid(record.id, event) if block else previous.uid,
                stamp=record.stamp,
                start_utc=parse_utc(content["start"]),
                end_utc=parse_utc(content["end"]),
                title=CLOSED_SUMMARY if block else content["title"],
                restricted=content["visibility"] != Visibility.PUBLIC.value,
                attendees=previous.attendees if is_invite_path(path) else (),
            )


def _as_utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime, got {moment.isoformat()}")
    return moment.astimezone(_UTC)
