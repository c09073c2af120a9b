"""What changed: a timetable against the store's snapshot becomes a `Revision` (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone

from vconf.errors import VconfError
from vconf.model import Event
from vconf.revisions.records import (
    ACTIVE,
    CANCELLED,
    CONTENT_FIELDS,
    KIND_ORDER,
    Attendee,
    ChangeKind,
    FieldChange,
    Record,
    Revision,
    SessionChange,
    Stamp,
    Tombstone,
    content_hash,
    parse_utc,
    publish_paths,
    session_content,
)
from vconf.revisions.store import Store
from vconf.timetable import Slot, Timetable

_TIMES = frozenset({"start", "end"})
_DETAILS = (
    ("room", "room-details"),
    ("people", "people-details"),
    ("delegations", "delegation-details"),
)
_UTC = timezone.utc


def plan_revision(
    store: Store,
    timetable: Timetable,
    *,
    now: datetime,
    attendees: Mapping[str, Sequence[Attendee]] | None = None,
) -> Revision:
    """Return what exporting `timetable` now issues, against what `store` says was issued.

    Pure: reads the store's snapshot, writes nothing. `attendees` gives each session's invitees
    (`export.invitations`); a session without any has no invitation file. Raises a VconfError
    when the store holds another event's calendar (another event id or uid_domain).
    """
    event = timetable.conference.event
    _check_calendar(store, event)
    now = _as_utc(now)
    tombstones = dict(store.tombstones)
    planned = [
        *_plan_sessions(store, timetable, now, attendees or {}),
        *_plan_cancels(store, timetable, now),
    ]
    for change, previous, record in planned:
        if change.kind is not ChangeKind.UNCHANGED:
            _move_tombstones(tombstones, previous, record)
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
        first=store.calendar is None and not store.records,
        last_issued=store.issued,
        interrupted=store.pending or store.cleaned > 0,
        reset=store.reset,
    )


_Planned = tuple[SessionChange, "Record | None", Record]  # a change, the record before and after


def _plan_sessions(
    store: Store, timetable: Timetable, now: datetime, attendees: Mapping[str, Sequence[Attendee]]
) -> Iterator[_Planned]:
    """Yield each session of the plan: new, restored, changed or unchanged."""
    memo: dict[tuple[str, ...], str] = {}
    for slot in timetable.slots:
        current = _current_record(slot, timetable, tuple(attendees.get(slot.id, ())), memo)
        previous = store.records.get(slot.id)
        change, record = _issue(current, previous, now, store.floors.get(current.uid))
        yield change, previous, record


def _plan_cancels(store: Store, timetable: Timetable, now: datetime) -> Iterator[_Planned]:
    """Yield each session issued before, still active, and no longer in the plan, by id."""
    for previous in sorted(store.records.values(), key=lambda record: record.id):
        if previous.status == ACTIVE and previous.id not in timetable.by_id:
            change, record = _cancel(previous, now)
            yield change, previous, record


def _check_calendar(store: Store, event: Event) -> None:
    """Refuse a store that holds another calendar: every UID would change (module docstring)."""
    if store.calendar is None or store.calendar == (event.id, event.uid_domain):
        return
    old_id, old_domain = store.calendar
    raise VconfError(
        f"{store.directory} holds the calendar of event {old_id!r} (UIDs "
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
        paths = (*paths, f"invites/{slot.id}.ics")
    return Record(
        id=slot.id,
        uid=f"{slot.id}.{event.id}@{event.uid_domain}",
        stamp=Stamp(0, slot.start_utc),  # replaced by `_issue`
        hash=content_hash(content),
        content=content,
        status=ACTIVE,
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
    if previous.status == ACTIVE and _same(previous, current):
        return _change(ChangeKind.UNCHANGED, current, previous.stamp), previous
    kind = ChangeKind.RESTORED if previous.status == CANCELLED else ChangeKind.CHANGED
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
    record = replace(previous, stamp=stamp, status=CANCELLED, paths=())
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
    tombstones: dict[tuple[str, str], Tombstone], previous: Record | None, record: Record
) -> None:
    """Update the cancelled copies of a session: a file that holds it again loses its copy; a
    file that held it and holds it no more gets one, stamped like the new issue, showing what
    that file last showed (so a party taken off a restricted session learns nothing new).
    """
    for path in record.paths:
        tombstones.pop((record.id, path), None)
    if previous is None or previous.status != ACTIVE:
        return
    content = previous.content
    for path in previous.paths:
        if path not in record.paths:
            tombstones[(record.id, path)] = Tombstone(
                session_id=record.id,
                path=path,
                uid=previous.uid,
                stamp=record.stamp,
                start_utc=parse_utc(content["start"]),
                end_utc=parse_utc(content["end"]),
                title=content["title"],
                restricted=content["visibility"] == "restricted",
                attendees=previous.attendees if path.startswith("invites/") else (),
            )


def _as_utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime, got {moment.isoformat()}")
    return moment.astimezone(_UTC)
