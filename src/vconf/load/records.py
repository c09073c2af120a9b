"""The document read into the model's records, every input error noted on the way.

The tables are read in a fixed order (event, delegations, people, rooms, sessions), each error
noted with its place; errors are raised together at the end. Only a mistake that makes the rest
meaningless stops at once: no `[event]`, or no usable event time zone (every session is read in
it), or more sessions than the limit.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from vconf.errors import VconfError, quote_key
from vconf.files import delegation_calendar_path, invite_path, person_calendar_path
from vconf.load.report import Report
from vconf.load.schema import TOP, Field, Table, read_table, unknown_key, with_zones
from vconf.load.values import ID_PATTERN, check_id, describe
from vconf.model import Account, Conference, Delegation, Event, Hours, Person, Room, Session
from vconf.timezones import wall_to_utc

MAX_SESSIONS = 250_000
MAX_PEOPLE_PER_SESSION = 2_000
_PEOPLE_KEYS = ("speakers", "moderators", "attendees", "interpreters")
_TABLE_OF = {
    "delegation": "delegations",
    "person": "people",
    "room": "rooms",
    "account": "accounts",
}


class NotChunkable(Exception):
    """The chunks do not read as the whole file would: parse it whole."""


def read_document(
    document: dict[str, Any], more_sessions: Iterator[Any] | None = None, *, text: str = ""
) -> Conference:
    """Read the tables of a parsed document; `more_sessions` follow its own `[[sessions]]`.

    `text` is the document's source, where the lines of errors are found.
    """
    if more_sessions is not None and "sessions" in document:
        raise NotChunkable  # sessions both before and after: let one parse say what it means
    report = Report(text)
    rank = {key: number for number, key in enumerate(document)}
    rank.setdefault("sessions", len(document))  # read in chunks: after everything else
    for key in document:
        if key not in TOP:
            Table((), (), (rank[key], 0), document).note(
                report, partial(unknown_key, key, TOP, where="the top level"), key
            )
    if "event" not in document:
        raise report.stop(
            VconfError("missing the [event] table (id, name, timezone)"), order=(-1,), where=()
        )
    fields = with_zones(_file_zones(document))
    event, tz_name, hours = _read_event(document["event"], report, rank["event"], fields)
    delegations = _read_named(
        document,
        "delegations",
        report,
        rank,
        lambda code, values: _delegation(code, values, hours),
        fields,
    )
    codes = _declared(document, "delegations")
    people = _read_named(
        document,
        "people",
        report,
        rank,
        lambda person_id, values: Person(person_id, **values),
        fields,
    )
    _check_people(document, codes, report, rank)
    _check_host(document, codes, report, rank)
    accounts = _read_named(
        document,
        "accounts",
        report,
        rank,
        lambda account_id, values: Account(account_id, **values),
        fields,
    )
    rooms = _read_named(
        document, "rooms", report, rank, lambda room_id, values: Room(room_id, **values), fields
    )
    _check_room_accounts(document, _declared(document, "accounts"), report, rank)
    declared = {
        "delegation": codes,
        "person": _declared(document, "people"),
        "room": _declared(document, "rooms"),
        "interpreter": _interpreters(document),
    }
    sessions = _read_sessions(
        document, tz_name, more_sessions, report, rank["sessions"], declared, fields["sessions"]
    )
    report.raise_any()
    assert event is not None  # no error was noted, so every record was made
    return Conference(
        event,
        tuple(delegations),
        tuple(people),
        tuple(rooms),
        tuple(sessions),
        accounts=tuple(accounts),
    )


def _read_event(
    raw: Any, report: Report, rank: int, fields: dict[str, dict[str, Field]]
) -> tuple[Event | None, str, Hours | None]:
    """Return the event (None if it has errors), its time zone and its hours, if given."""
    table = Table(("event",), ("event",), (rank, 0), raw)
    values, right = read_table(raw, fields["event"], where="[event]", report=report, table=table)
    if "timezone" not in values:
        raise report.error()  # every session's local times are read in it: stop here
    start, end = values.get("start"), values.get("end")
    if start and end and end < start:
        error = VconfError(f"expected a date on or after start ({start}), got {end}")
        table.note(report, error.within("end"), "end")
        right = False
    organizer = values.get("organizer")
    if "uid_domain" not in values and organizer and organizer.email:
        values["uid_domain"] = organizer.email.rsplit("@", 1)[1]
    tz_name, hours = values["timezone"], values.get("hours")
    event = Event(**_as_fields(values)) if right else None
    return event, tz_name, (event.hours if event else hours)


def _as_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Return the values of a table named as the model's fields (`timezone` is `tz_name`)."""
    if "timezone" in values:
        values["tz_name"] = values.pop("timezone")
    return values


def _file_zones(document: dict[str, Any]) -> tuple[str, ...]:
    """Return the zone names the event and delegations give, right or wrong (for suggestions)."""
    tables = [document.get("event")]
    delegations = document.get("delegations")
    if isinstance(delegations, dict):
        tables += list(delegations.values())
    zones = (table.get("timezone") for table in tables if isinstance(table, dict))
    return tuple(zone for zone in zones if isinstance(zone, str))


def _delegation(code: str, values: dict[str, Any], hours: Hours | None) -> Delegation | None:
    if hours is None:
        return None  # the event's hours, every delegation's default, are wrong
    values.setdefault("hours", hours)
    return Delegation(code=code, **_as_fields(values))


_FILES = {"delegations": delegation_calendar_path, "people": person_calendar_path}


def _read_named(
    document: dict[str, Any],
    key: str,
    report: Report,
    rank: dict[str, int],
    build: Callable[[str, dict[str, Any]], Any],
    fields: dict[str, dict[str, Field]],
) -> list[Any]:
    """Read a table of tables keyed by id (`[people.ID]`), in file order.

    Where ids name files (`person_calendar_path`), two ids that differ only in case are refused: on
    macOS and Windows they would be one file, and one party's calendar would replace the other's.
    """
    raw = document.get(key, {})
    if not isinstance(raw, dict):
        error = VconfError(f"expected a table, got {describe(raw)}")
        Table((key,), (key,), (rank[key], 0), document).note(report, error)
        return []
    items = []
    folded: dict[str, str] = {}
    for position, (item_id, item) in enumerate(raw.items(), start=1):
        table = Table((key, item_id), (key, item_id), (rank[key], position), item)
        right = _check_item_id(item_id, folded, _FILES.get(key), table, report)
        values, read_right = read_table(
            item, fields[key], where=f"[{key}.{quote_key(item_id)}]", report=report, table=table
        )
        if right and read_right:
            items.append(build(item_id, values))
    return items


def _check_item_id(
    item_id: str,
    folded: dict[str, str],
    files: Callable[[str], str] | None,
    table: Table,
    report: Report,
) -> bool:
    try:
        check_id(item_id)
        if files is not None:
            _check_case(item_id, folded, files)
    except VconfError as error:
        table.note(report, error)
        return False
    return True


def _check_case(item_id: str, folded: dict[str, str], files: Callable[[str], str]) -> None:
    """Refuse an id equal to an earlier one but for case (`ann`, `Ann`): their files collide."""
    earlier = folded.setdefault(item_id.casefold(), item_id)
    if earlier != item_id:
        raise VconfError(
            f"{item_id!r} differs from {earlier!r} only in case; {files(item_id)} and "
            f"{files(earlier)} would be one file on macOS and Windows: rename one"
        )


def _declared(document: dict[str, Any], key: str) -> set[str]:
    """Return the ids a section declares, right or wrong: a wrong table is no unknown name."""
    raw = document.get(key)
    return set(raw) if isinstance(raw, dict) else set()


def _check_people(
    document: dict[str, Any], codes: set[str], report: Report, rank: dict[str, int]
) -> None:
    raw = document.get("people")
    if not isinstance(raw, dict):
        return
    for position, (person_id, item) in enumerate(raw.items(), start=1):
        code = item.get("delegation") if isinstance(item, dict) else None
        if isinstance(code, str) and _is_id(code) and code not in codes:
            table = Table(
                ("people", person_id), ("people", person_id), (rank["people"], position), item
            )
            table.note(
                report, _undeclared(code, codes, "delegation", at="delegation"), "delegation"
            )


def _check_host(
    document: dict[str, Any], codes: set[str], report: Report, rank: dict[str, int]
) -> None:
    """Note an `event.host` that names no declared delegation."""
    raw = document.get("event")
    host = raw.get("host") if isinstance(raw, dict) else None
    if isinstance(host, str) and _is_id(host) and host not in codes:
        table = Table(("event",), ("event",), (rank["event"], 0), raw)
        table.note(report, _undeclared(host, codes, "delegation", at="host"), "host")


def _check_room_accounts(
    document: dict[str, Any], accounts: set[str], report: Report, rank: dict[str, int]
) -> None:
    """Note a room whose `account` names no declared account, with the nearest declared one."""
    raw = document.get("rooms")
    if not isinstance(raw, dict):
        return
    for position, (room_id, item) in enumerate(raw.items(), start=1):
        account = item.get("account") if isinstance(item, dict) else None
        if isinstance(account, str) and _is_id(account) and account not in accounts:
            table = Table(("rooms", room_id), ("rooms", room_id), (rank["rooms"], position), item)
            table.note(report, _undeclared(account, accounts, "account", at="account"), "account")


def _interpreters(document: dict[str, Any]) -> set[str]:
    """Return the ids of the people who declare `interprets` (right or wrong)."""
    raw = document.get("people")
    if not isinstance(raw, dict):
        return set()
    return {
        person_id
        for person_id, item in raw.items()
        if isinstance(item, dict) and "interprets" in item
    }


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 200 and bool(ID_PATTERN.fullmatch(value))


def _read_sessions(
    document: dict[str, Any],
    tz_name: str,
    more: Iterator[Any] | None,
    report: Report,
    rank: int,
    declared: dict[str, set[str]],
    fields: dict[str, Field],
) -> list[Session]:
    raw = document.get("sessions", [])
    if not isinstance(raw, list):
        error = VconfError(f"expected an array of tables ([[sessions]]), got {describe(raw)}")
        Table(("sessions",), ("sessions",), (rank, 0), document).note(report, error)
        return []
    sessions: list[Session] = []
    seen: dict[str, int] = {}
    folded: dict[str, str] = {}
    number = 0
    for number, item in enumerate(more if more is not None else _emptied(raw), start=1):
        if number > MAX_SESSIONS:
            error = VconfError(f"more sessions than the limit of {MAX_SESSIONS}")
            raise report.stop(error.within("sessions"), order=(rank, number), where=("sessions",))
        table = Table(None, ("sessions", number), (rank, number), item)
        session, values = _read_session(item, tz_name, number, table, report, fields)
        session_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(session_id, str) and _is_id(session_id):
            _check_session_id(session_id, number, seen, folded, table, report)
        _check_references(values, declared, table, report)
        if session is not None:
            sessions.append(session)
    report.sessions = number
    return sessions


def _emptied(raw: list[Any]) -> Iterator[Any]:
    """Yield each table of a parsed array, then free it: the document is ours (peak RSS)."""
    for position in range(len(raw)):
        yield raw[position]
        raw[position] = None


def _check_session_id(
    session_id: str,
    number: int,
    seen: dict[str, int],
    folded: dict[str, str],
    table: Table,
    report: Report,
) -> None:
    if session_id in seen:
        error = VconfError(
            f"duplicate session id {session_id!r}, already used by sessions[{seen[session_id]}]"
        )
        table.note(report, error.within("id"), "id")
        return
    try:
        _check_case(session_id, folded, invite_path)
    except VconfError as error:
        table.note(report, error.within("id"), "id")
    seen[session_id] = number


def _read_session(
    raw: Any, tz_name: str, number: int, table: Table, report: Report, fields: dict[str, Field]
) -> tuple[Session | None, dict[str, Any]]:
    """Return the session (None if it has errors) and the values read right."""
    values, right = read_table(raw, fields, where="a session", report=report, table=table)
    if not isinstance(raw, dict):
        return None, values
    if ("end" in raw) == ("duration" in raw):
        what = "both" if "end" in raw else "neither"
        error = VconfError(f"expected exactly one of 'duration' and 'end', got {what}")
        keys = list(raw)
        table.note(
            report, error, max(("end", "duration"), key=keys.index) if what == "both" else None
        )
        right = False
    if "start" not in raw and "end" in raw:
        error = VconfError("expected a 'duration' for a session without a start, got 'end'")
        table.note(report, error.within("end"), "end")
        right = False
    zone = values.get("timezone", tz_name)
    if "timezone" in raw and "timezone" not in values:
        right = False  # a wrong zone: its error is noted; times cannot be compared in it
    elif not _ends_after_start(values, zone, table, report):
        right = False
    if sum(len(values.get(key, ())) for key in _PEOPLE_KEYS) > MAX_PEOPLE_PER_SESSION:
        error = VconfError(f"more than {MAX_PEOPLE_PER_SESSION} people in one session, the limit")
        table.note(report, error)
        right = False
    if not right:
        return None, values
    return Session(number=number, tz_name=zone, **{"start": None, **_without_zone(values)}), values


def _ends_after_start(values: dict[str, Any], zone: str, table: Table, report: Report) -> bool:
    """Return False (and note why) if the session ends at or before its start."""
    start, end = values.get("start"), values.get("end")
    if start is None or end is None or _instant(start, zone) < _instant(end, zone):
        return True
    error = VconfError(f"expected an end after the start ({_show(start)}), got {_show(end)}")
    table.note(report, error.within("end"), "end")
    return False


def _without_zone(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key != "timezone"}


def _instant(moment: datetime, tz_name: str) -> datetime:
    return moment if moment.tzinfo else wall_to_utc(moment, tz_name).utc


def _show(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _check_references(
    values: dict[str, Any], declared: dict[str, set[str]], table: Table, report: Report
) -> None:
    room = values.get("room")
    if room is not None and room not in declared["room"]:
        table.note(report, _undeclared(room, declared["room"], "room", at="room"), "room")
    for index, code in enumerate(values.get("delegations", ()), start=1):
        if code != "*" and code not in declared["delegation"]:
            error = _undeclared(
                code, declared["delegation"], "delegation", at=f"delegations[{index}]"
            )
            table.note(report, error, "delegations")
    for key in _PEOPLE_KEYS:
        for index, person_id in enumerate(values.get(key, ()), start=1):
            if person_id not in declared["person"]:
                error = _undeclared(person_id, declared["person"], "person", at=f"{key}[{index}]")
                table.note(report, error, key)
            elif key == "interpreters" and person_id not in declared["interpreter"]:
                table.note(report, _not_interpreter(person_id, at=f"{key}[{index}]"), key)


def _not_interpreter(person_id: str, *, at: str) -> VconfError:
    return VconfError(
        f"{person_id!r} is not an interpreter; give [people.{person_id}] "
        f"'interprets' (two or more languages)"
    ).within(at)


def _undeclared(name: str, declared: set[str], what: str, *, at: str) -> Callable[[], VconfError]:
    """Return how to make the error of a reference to nothing, with the nearest declared name.

    The nearest name costs a search of every declared one: only an error shown pays for it.
    """

    def make() -> VconfError:
        close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.5)
        hint = (
            f"did you mean {close[0]!r}?" if close else f"declare it as [{_TABLE_OF[what]}.{name}]"
        )
        return VconfError(f"unknown {what} {name!r}; {hint}").within(at)

    return make
