"""The records of what is issued: stamps, invitees, a session's content, changes, revisions."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from vconf.files import (
    delegation_calendar_path,
    person_calendar_path,
    public_calendar_path,
)
from vconf.invitations import Attendee
from vconf.model import Event
from vconf.timetable import Slot, Timetable
from vconf.timezones import utc_text

CONTENT_FIELDS = (
    "start",
    "end",
    "zones",
    "title",
    "kind",
    "room",
    "room-details",
    "people",
    "people-details",
    "delegations",
    "delegation-details",
    "languages",
    "description",
    "visibility",
    "event",
)


class Status(enum.Enum):
    """Whether a session was last issued as active (in the plan) or as cancelled."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


# ---- records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stamp:
    """What was issued for a session: its SEQUENCE and its DTSTAMP (an aware UTC instant)."""

    sequence: int
    dtstamp: datetime


class ChangeKind(enum.Enum):
    """What a revision does to a session, in the order the change list shows them."""

    NEW = "new"
    RESTORED = "restored"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    UNCHANGED = "unchanged"


KIND_ORDER = {kind: number for number, kind in enumerate(ChangeKind)}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One content field of a session (`CONTENT_FIELDS`) as last issued and as issued now."""

    name: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class SessionChange:
    """A session in a revision: what happens to it, its stamp, and which fields changed.

    `title` and `start_utc` are the current ones, or the last issued for a cancelled session.
    """

    session_id: str
    kind: ChangeKind
    stamp: Stamp
    title: str
    start_utc: datetime
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A session shown cancelled in one file: what that file last showed of it, and its stamp.

    For `invites/<id>.ics` it is the METHOD:CANCEL to `attendees`; elsewhere a STATUS:CANCELLED
    VEVENT in a PUBLISH calendar.
    """

    session_id: str
    path: str
    uid: str
    stamp: Stamp
    start_utc: datetime
    end_utc: datetime
    title: str
    restricted: bool
    attendees: tuple[Attendee, ...] = ()


@dataclass(frozen=True, slots=True)
class Reset:
    """A store set aside by --reset-state: its backup's name and whose calendar it held."""

    backup: str
    calendar: tuple[str, str] | None


@dataclass(frozen=True, slots=True)
class Record:
    """One `sessions` row."""

    id: str
    uid: str
    stamp: Stamp
    hash: str
    content: Mapping[str, str]
    status: Status
    paths: tuple[str, ...]
    attendees: tuple[Attendee, ...]


@dataclass(frozen=True, slots=True)
class Revision:
    """What an export issues, compared with what the store says was issued before.

    `changes` holds every session of the plan and every session cancelled now, new first, then
    restored, changed, cancelled, unchanged; each by start, then id. `tombstones` is every
    cancelled copy the files hold, new and kept, by path then session. `is_first_export` says
    DIR's store held nothing yet; `last_issued` is when the previous revision was recorded;
    `interrupted` says its files were not all written.
    """

    event_id: str
    uid_domain: str
    now: datetime
    changes: tuple[SessionChange, ...]
    tombstones: tuple[Tombstone, ...]
    records: tuple[Record, ...]
    is_first_export: bool
    last_issued: datetime | None
    interrupted: bool
    reset: Reset | None

    @property
    def stamps(self) -> dict[str, Stamp]:
        """Return the stamp of each session of the plan, by id."""
        return {
            change.session_id: change.stamp
            for change in self.changes
            if change.kind is not ChangeKind.CANCELLED
        }

    def of_kind(self, kind: ChangeKind) -> tuple[SessionChange, ...]:
        """Return the changes of one kind, in list order."""
        return tuple(change for change in self.changes if change.kind is kind)


# ---- content -----------------------------------------------------------------------------------


def session_content(
    slot: Slot, timetable: Timetable, *, memo: dict[tuple[str, ...], str] | None = None
) -> dict[str, str]:
    """Return a session's content: `CONTENT_FIELDS`, each as text (docs/revisions.md, "Content").

    `memo` keeps the digest of each set of delegations across the sessions of one timetable
    (every session for `"*"` shares one).
    """
    session = slot.session
    room = timetable.rooms.get(session.room) if session.room else None
    roles = (
        ("moderator", session.moderators),
        ("speaker", session.speakers),
        ("attendee", session.attendees),
    )
    people = [timetable.people[person_id] for person_id in slot.people]
    return {
        "start": utc_text(slot.start_utc),
        "end": utc_text(slot.end_utc),
        "zones": f"{slot.start_tz} {slot.end_tz}",
        "title": session.title,
        "kind": session.kind.value,
        "room": session.room or "",
        "room-details": _digest(f"{room.name}\n{room.url or ''}") if room is not None else "",
        "people": " ".join(f"{role}:{person}" for role, ids in roles for person in ids),
        "people-details": _digest(
            "\n".join(f"{p.id}\t{p.name}\t{p.delegation or ''}\t{p.email or ''}" for p in people)
        ),
        "delegations": " ".join(slot.delegations),
        "delegation-details": _delegation_details(slot.delegations, timetable, memo),
        "languages": " ".join(session.languages),
        "description": _digest(session.description),
        "visibility": session.visibility.value,
        "event": _digest(_event_details(timetable.conference.event)),
    }


def _delegation_details(
    codes: tuple[str, ...], timetable: Timetable, memo: dict[tuple[str, ...], str] | None
) -> str:
    """Return the digest of the names, zones and contacts of a session's delegations."""
    if memo is not None and codes in memo:
        return memo[codes]
    delegations = (timetable.delegations[code] for code in codes)
    digest = _digest(
        "\n".join(f"{d.code}\t{d.name}\t{d.tz_name}\t{d.email or ''}" for d in delegations)
    )
    if memo is not None:
        memo[codes] = digest
    return digest


def _digest(text: str) -> str:
    """Return the first 16 hex digits of the text's SHA-256, or "" for no text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if text else ""


def _event_details(event: Event) -> str:
    """Return the event zone and the organizer every VEVENT names (the event's name without one)."""
    organizer = event.organizer
    name = organizer.name if organizer is not None else event.name
    email = organizer.email if organizer is not None and organizer.email else ""
    return f"{event.tz_name}\n{name}\n{email}"


def content_hash(content: Mapping[str, str]) -> str:
    """Return the SHA-256 (hex) of the content as canonical JSON."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish_paths(slot: Slot, timetable: Timetable) -> tuple[str, ...]:
    """Return the PUBLISH calendars that hold a session (SPEC §5), sorted.

    The public file unless it is restricted (a closed session's busy block is there), and the
    file of each of its delegations and people.
    """
    paths = [delegation_calendar_path(code) for code in slot.delegations]
    paths += [person_calendar_path(person_id) for person_id in slot.people]
    if not slot.session.is_restricted or slot.session.is_closed:
        paths.append(public_calendar_path(timetable.conference.event.id))
    return tuple(sorted(paths))
