"""The schema: which keys each table may hold, how each is read, and the records they make.

Every table is read by one function, `_read_table`, from a `{key: (reader, required)}` table;
a key the file leaves out takes the model's default (model.py holds every default).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from vconf.errors import VconfError, inside, quote_key
from vconf.load.values import (
    ID_PATTERN,
    buffer_value,
    check_id,
    codes_value,
    date_value,
    dates_value,
    datetime_value,
    describe,
    domain_value,
    duration_value,
    email_value,
    hours_value,
    id_value,
    ids_value,
    kind_value,
    line_value,
    table_value,
    text_value,
    url_value,
    visibility_value,
    weekend_value,
    zone_value,
)
from vconf.model import Conference, Contact, Delegation, Event, Person, Room, Session
from vconf.timezones import wall_to_utc

T = TypeVar("T")
Field = tuple[Callable[[Any], Any], bool]  # the reader of a key's value, and whether it is required

MAX_SESSIONS = 250_000
MAX_PEOPLE_PER_SESSION = 2_000
_PEOPLE_KEYS = ("speakers", "moderators", "attendees")

TOP = ("event", "delegations", "people", "rooms", "sessions")
ORGANIZER: dict[str, Field] = {"name": (line_value, True), "email": (email_value, False)}


def _organizer_value(value: Any) -> Contact:
    return Contact(**_read_table(value, ORGANIZER, where="organizer"))


EVENT: dict[str, Field] = {
    "id": (id_value, True),
    "name": (line_value, True),
    "timezone": (zone_value, True),
    "start": (date_value, False),
    "end": (date_value, False),
    "organizer": (_organizer_value, False),
    "uid_domain": (domain_value, False),
    "hours": (hours_value, False),
    "buffer": (buffer_value, False),
}
DELEGATION: dict[str, Field] = {
    "name": (line_value, True),
    "timezone": (zone_value, True),
    "hours": (hours_value, False),
    "weekend": (weekend_value, False),
    "holidays": (dates_value, False),
    "email": (email_value, False),
}
PERSON: dict[str, Field] = {
    "name": (line_value, True),
    "delegation": (id_value, False),
    "email": (email_value, False),
}
ROOM: dict[str, Field] = {"name": (line_value, True), "url": (url_value, False)}
SESSION: dict[str, Field] = {
    "id": (id_value, True),
    "title": (line_value, True),
    "kind": (kind_value, False),
    "start": (datetime_value, True),
    "duration": (duration_value, False),
    "end": (datetime_value, False),
    "room": (id_value, False),
    "delegations": (codes_value, False),
    "speakers": (ids_value, False),
    "moderators": (ids_value, False),
    "attendees": (ids_value, False),
    "languages": (ids_value, False),
    "visibility": (visibility_value, False),
    "description": (text_value, False),
    "timezone": (zone_value, False),
}


class NotChunkable(Exception):
    """The chunks do not read as the whole file would: parse it whole."""


def _read_table(raw: Any, fields: Mapping[str, Field], *, where: str) -> dict[str, Any]:
    """Return the values of a table by key, each read by its field; raise at the first mistake."""
    table = table_value(raw)
    for key in table:
        if key not in fields:
            raise _unknown_key(key, fields, where=where)
    values = {}
    for key, value in table.items():
        try:
            values[key] = fields[key][0](value)
        except VconfError as error:
            error.within(key)
            raise
    for key, (_, required) in fields.items():
        if required and key not in values:
            raise VconfError(f"missing required key {key!r}")
    return values


def _unknown_key(key: str, fields: Collection[str], *, where: str) -> VconfError:
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(fields)}"
    return VconfError(f"unknown key in {where}; {hint}").within(key)


def _as_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Return the values of a table named as the model's fields (`timezone` is `tz_name`)."""
    if "timezone" in values:
        values["tz_name"] = values.pop("timezone")
    return values


# ---- the document ---------------------------------------------------------------------------


def read_document(
    document: dict[str, Any], more_sessions: Iterator[Any] | None = None
) -> Conference:
    """Read the tables of a parsed document; `more_sessions` follow its own `[[sessions]]`."""
    if more_sessions is not None and "sessions" in document:
        raise NotChunkable  # sessions both before and after: let one parse say what it means
    for key in document:
        if key not in TOP:
            raise _unknown_key(key, TOP, where="the top level")
    if "event" not in document:
        raise VconfError("missing the [event] table (id, name, timezone)")
    with inside("event"):
        event = _read_event(document["event"])
    delegations = _read_named(
        document,
        "delegations",
        lambda code, raw: _read_delegation(code, raw, event),
        files="delegations/{}.ics",
    )
    people = _read_named(document, "people", _read_person, files="people/{}.ics")
    rooms = _read_named(document, "rooms", _read_room)
    sessions = _read_sessions(document, event, more_sessions)
    conference = Conference(event, delegations, people, rooms, sessions)
    _check_references(conference)
    return conference


def _read_named(
    document: dict[str, Any],
    key: str,
    read: Callable[[str, dict[str, Any]], T],
    *,
    files: str | None = None,
) -> tuple[T, ...]:
    """Read a table of tables keyed by id (`[people.ID]`), in file order.

    With `files` (the file each id names, `people/{}.ics`), two ids that differ only in case
    are refused: on macOS and Windows they would be one file, and one party's calendar would
    replace the other's.
    """
    raw = document.get(key, {})
    with inside(key):
        tables = table_value(raw)
    items = []
    folded: dict[str, str] = {}
    for item_id, item in tables.items():
        with inside(key, item_id):
            check_id(item_id)
            if files is not None:
                _check_case(item_id, folded, files)
            items.append(read(item_id, item))
    return tuple(items)


def _check_case(item_id: str, folded: dict[str, str], files: str) -> None:
    """Refuse an id equal to an earlier one but for case (`ann`, `Ann`): their files collide."""
    earlier = folded.setdefault(item_id.casefold(), item_id)
    if earlier != item_id:
        raise VconfError(
            f"{item_id!r} differs from {earlier!r} only in case; {files.format(item_id)} and "
            f"{files.format(earlier)} would be one file on macOS and Windows: rename one"
        )


def _read_event(raw: Any) -> Event:
    values = _read_table(raw, EVENT, where="[event]")
    start, end = values.get("start"), values.get("end")
    if start and end and end < start:
        raise VconfError(f"expected a date on or after start ({start}), got {end}").within("end")
    organizer = values.get("organizer")
    if "uid_domain" not in values and organizer and organizer.email:
        values["uid_domain"] = organizer.email.rsplit("@", 1)[1]
    return Event(**_as_fields(values))


def _read_delegation(code: str, raw: Any, event: Event) -> Delegation:
    values = _read_table(raw, DELEGATION, where=f"[delegations.{quote_key(code)}]")
    values.setdefault("hours", event.hours)
    return Delegation(code=code, **_as_fields(values))


def _read_person(person_id: str, raw: Any) -> Person:
    return Person(
        id=person_id, **_read_table(raw, PERSON, where=f"[people.{quote_key(person_id)}]")
    )


def _read_room(room_id: str, raw: Any) -> Room:
    return Room(id=room_id, **_read_table(raw, ROOM, where=f"[rooms.{quote_key(room_id)}]"))


def _read_sessions(
    document: dict[str, Any], event: Event, more: Iterator[Any] | None
) -> tuple[Session, ...]:
    raw = document.get("sessions", [])
    if not isinstance(raw, list):
        raise VconfError(f"expected an array of tables ([[sessions]]), got {describe(raw)}").within(
            "sessions"
        )
    sessions: list[Session] = []
    seen: dict[str, int] = {}
    folded: dict[str, str] = {}
    for number, item in enumerate(more if more is not None else _emptied(raw), start=1):
        if number > MAX_SESSIONS:
            raise VconfError(f"more sessions than the limit of {MAX_SESSIONS}").within("sessions")
        try:
            session = _read_session(item, event, number)
            if session.id in seen:
                raise VconfError(
                    f"duplicate session id {session.id!r}, "
                    f"already used by sessions[{seen[session.id]}]"
                ).within("id")
            with inside("id"):
                _check_case(session.id, folded, "invites/{}.ics")
        except VconfError as error:
            error.within(_session_label(number, item))
            raise
        seen[session.id] = number
        sessions.append(session)
    return tuple(sessions)


def _session_label(number: int, item: Any) -> str:
    """Return `sessions[3] (panel-2)`, or `sessions[3]` where the table has no usable id."""
    label = f"sessions[{number}]"
    if (
        isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and ID_PATTERN.fullmatch(item["id"])
    ):
        label += f" ({item['id']})"
    return label


def _emptied(raw: list[Any]) -> Iterator[Any]:
    """Yield each table of a parsed array, then free it: the document is ours (peak RSS)."""
    for position in range(len(raw)):
        yield raw[position]
        raw[position] = None


def _read_session(raw: Any, event: Event, number: int) -> Session:
    values = _read_table(raw, SESSION, where="a session")
    values.setdefault("timezone", event.tz_name)
    if ("end" in values) == ("duration" in values):
        what = "both" if "end" in values else "neither"
        raise VconfError(f"expected exactly one of 'duration' and 'end', got {what}")
    if "end" in values:
        _check_after(values["start"], values["end"], values["timezone"])
    if sum(len(values.get(key, ())) for key in _PEOPLE_KEYS) > MAX_PEOPLE_PER_SESSION:
        raise VconfError(f"more than {MAX_PEOPLE_PER_SESSION} people in one session, the limit")
    return Session(number=number, **_as_fields(values))


def _check_after(start: datetime, end: datetime, tz_name: str) -> None:
    """Raise unless `end` is a later instant than `start` (local times read in `tz_name`)."""
    if _instant(end, tz_name) <= _instant(start, tz_name):
        raise VconfError(
            f"expected an end after the start ({_show(start)}), got {_show(end)}"
        ).within("end")


def _instant(moment: datetime, tz_name: str) -> datetime:
    return moment if moment.tzinfo else wall_to_utc(moment, tz_name).utc


def _show(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


# ---- cross references ------------------------------------------------------------------------


def _check_references(conference: Conference) -> None:
    codes = {delegation.code for delegation in conference.delegations}
    person_ids = {person.id for person in conference.people}
    room_ids = {room.id for room in conference.rooms}
    for person in conference.people:
        if person.delegation is not None:
            with inside("people", person.id, "delegation"):
                _check_declared(person.delegation, codes, "delegation")
    for session in conference.sessions:
        with inside(f"sessions[{session.number}] ({session.id})"):
            _check_session_references(session, codes, person_ids, room_ids)


def _check_session_references(
    session: Session, codes: set[str], person_ids: set[str], room_ids: set[str]
) -> None:
    if session.room is not None and session.room not in room_ids:
        with inside("room"):
            _check_declared(session.room, room_ids, "room")
    for index, code in enumerate(session.delegations):
        if code != "*" and code not in codes:
            with inside(f"delegations[{index + 1}]"):
                _check_declared(code, codes, "delegation")
    for key in _PEOPLE_KEYS:
        for index, person_id in enumerate(getattr(session, key)):
            if person_id not in person_ids:
                with inside(f"{key}[{index + 1}]"):
                    _check_declared(person_id, person_ids, "person")


def _check_declared(name: str, declared: set[str], what: str) -> None:
    if name in declared:
        return
    table = {"delegation": "delegations", "person": "people", "room": "rooms"}[what]
    close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else f"; declare it as [{table}.{name}]"
    raise VconfError(f"unknown {what} {name!r}{hint}")
