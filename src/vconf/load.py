"""The only TOML reader: a file becomes a `Conference`, or one VconfError saying where and why."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from vconf.errors import VconfError, inside, quote_key
from vconf.files import delegation_calendar_path, invite_path, person_calendar_path
from vconf.model import (
    WEEKDAYS,
    Conference,
    Contact,
    Delegation,
    Event,
    Hours,
    Kind,
    Person,
    Room,
    Session,
    Visibility,
)
from vconf.timezones import check_zone_name, wall_to_utc

T = TypeVar("T")

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DURATION = re.compile(r"(?:(\d{1,4})h)?(?:(\d{1,5})m)?")
_HOURS = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")
_EMAIL = re.compile(r"[^@\s<>\"]+@[A-Za-z0-9.-]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"]+")
_DOMAIN = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FIRST_YEAR, LAST_YEAR = 1900, 2999

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_SESSIONS = 250_000
MAX_PEOPLE_PER_SESSION = 2_000
MAX_TEXT = 100_000

_TOP_KEYS = ("event", "delegations", "people", "rooms", "sessions")
_EVENT_KEYS = (
    "id",
    "name",
    "timezone",
    "start",
    "end",
    "organizer",
    "uid_domain",
    "hours",
    "buffer",
)
_DELEGATION_KEYS = ("name", "timezone", "hours", "weekend", "holidays", "email")
_PERSON_KEYS = ("name", "delegation", "email")
_ROOM_KEYS = ("name", "url")
_SESSION_KEYS = (
    "id", "title", "kind", "start", "duration", "end", "room", "delegations", "speakers",
    "moderators", "attendees", "languages", "visibility", "description", "timezone",
)  # fmt: skip


def read_conference(path: str) -> Conference:
    """Return the conference in a TOML file; every problem is a VconfError naming the file."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise VconfError(f"cannot read the file: {error.strerror or error}", file=path) from error
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise VconfError(f"the file is larger than {limit} MB, the limit vconf reads", file=path)
    try:
        text = _decode(data)
        del data  # a big file is held once: bytes, then text, then a chunk of tables (peak RSS)
        return conference_from_text(text)
    except VconfError as error:
        error.file = path
        raise


def conference_from_bytes(data: bytes) -> Conference:
    """Return the conference in TOML bytes (UTF-8, a BOM accepted)."""
    return conference_from_text(_decode(data))


def _decode(data: bytes) -> str:
    """Return the text of UTF-8 bytes (a BOM accepted), or say where it is not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise VconfError("the file is UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise VconfError(
            f"line {line}: the file is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"
        ) from error
    return text


def conference_from_text(text: str) -> Conference:
    """Return the conference in a TOML document.

    A large file is parsed in chunks of `[[sessions]]` tables, each read and freed before the next
    is parsed, so the whole document is never in memory at once. Whenever the chunks could mean
    anything else than the whole file does (a table after the sessions, a syntax error, a
    `[[sessions]]` line inside a multi-line string), the whole file is parsed instead, so results
    and messages (with their line numbers) are exactly those of one parse.
    """
    chunks = _session_chunks(text)
    if chunks is not None:
        try:
            return _read_document(_parse_toml(chunks[0]), _chunked_sessions(chunks))
        except (_NotChunkable, VconfError):
            pass  # any doubt or mistake: one whole parse decides, and words the message
    return _read_document(_parse_toml(text))


_SESSIONS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*sessions[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)
_CHUNK_SESSIONS = 2000


class _NotChunkable(Exception):
    """The chunks do not read as the whole file would: parse it whole."""


def _session_chunks(text: str) -> list[str] | None:
    """Return the text before the first `[[sessions]]`, then chunks of sessions; None if small."""
    if len(text) < 4 * 1024 * 1024:
        return None
    starts = [match.start() for match in _SESSIONS_HEADER.finditer(text)]
    if not starts:
        return None
    bounds = [*starts[::_CHUNK_SESSIONS], len(text)]
    return [text[: starts[0]]] + [text[a:b] for a, b in itertools.pairwise(bounds)]


def _chunked_sessions(chunks: list[str]) -> Iterator[Any]:
    """Yield the raw session tables chunk by chunk, freeing each chunk once parsed."""
    for index in range(1, len(chunks)):
        try:
            document = _parse_toml(chunks[index])
        except VconfError as error:
            raise _NotChunkable from error
        chunks[index] = ""
        if list(document) != ["sessions"] or not isinstance(document["sessions"], list):
            raise _NotChunkable
        raw = document.pop("sessions")
        for position in range(len(raw)):
            yield raw[position]
            raw[position] = None


def _parse_toml(text: str) -> dict[str, Any]:
    import tomli as toml  # compiled tomli parses ~2.5x faster than tomllib (issue note)

    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as error:
        raise VconfError(f"TOML syntax: {_one_line(str(error))}") from error
    except RecursionError as error:
        raise VconfError("TOML syntax: values nested too deeply") from error


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---- the document ---------------------------------------------------------------------------


def _read_document(
    document: dict[str, Any], more_sessions: Iterator[Any] | None = None
) -> Conference:
    """Read the tables of a parsed document; `more_sessions` follow its own `[[sessions]]`."""
    if more_sessions is not None and "sessions" in document:
        raise _NotChunkable  # sessions both before and after: let one parse say what it means
    _check_keys(document, _TOP_KEYS, where="the top level")
    if "event" not in document:
        raise VconfError("missing the [event] table (id, name, timezone)")
    with inside("event"):
        event = _read_event(_table(document["event"]))
    delegations = _read_named(
        document,
        "delegations",
        lambda code, raw: _read_delegation(code, raw, event),
        files=delegation_calendar_path,
    )
    people = _read_named(document, "people", _read_person, files=person_calendar_path)
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
    files: Callable[[str], str] | None = None,
) -> tuple[T, ...]:
    """Read a table of tables keyed by id (`[people.ID]`), in file order.

    With `files` (the file each id names, `person_calendar_path`), two ids that differ only in case
    are refused: on macOS and Windows they would be one file, and one party's calendar would
    replace the other's.
    """
    raw = document.get(key, {})
    with inside(key):
        tables = _table(raw)
    items = []
    folded: dict[str, str] = {}
    for item_id, item in tables.items():
        with inside(key, item_id):
            _check_id(item_id)
            if files is not None:
                _check_case(item_id, folded, files)
            items.append(read(item_id, _table(item)))
    return tuple(items)


def _check_case(item_id: str, folded: dict[str, str], files: Callable[[str], str]) -> None:
    """Refuse an id equal to an earlier one but for case (`ann`, `Ann`): their files collide."""
    earlier = folded.setdefault(item_id.casefold(), item_id)
    if earlier != item_id:
        raise VconfError(
            f"{item_id!r} differs from {earlier!r} only in case; {files(item_id)} and "
            f"{files(earlier)} would be one file on macOS and Windows: rename one"
        )


def _read_event(raw: dict[str, Any]) -> Event:
    _check_keys(raw, _EVENT_KEYS, where="[event]")
    event_id = _required(raw, "id", _id_value)
    tz_name = _required(raw, "timezone", _zone_value)
    start = _optional(raw, "start", _date_value)
    end = _optional(raw, "end", _date_value)
    if start and end and end < start:
        with inside("end"):
            raise VconfError(f"expected a date on or after start ({start}), got {end}")
    organizer = _optional(raw, "organizer", _contact_value)
    default_domain = (
        organizer.email.rsplit("@", 1)[1] if organizer and organizer.email else "vconf.invalid"
    )
    return Event(
        id=event_id,
        name=_required(raw, "name", _line_value),
        tz_name=tz_name,
        start=start,
        end=end,
        organizer=organizer,
        uid_domain=_optional(raw, "uid_domain", _domain_value) or default_domain,
        hours=_optional(raw, "hours", _hours_value) or Hours(7 * 60, 22 * 60),
        buffer=_optional(raw, "buffer", _duration_value, allow_zero=True) or timedelta(0),
    )


def _read_delegation(code: str, raw: dict[str, Any], event: Event) -> Delegation:
    _check_keys(raw, _DELEGATION_KEYS, where=f"[delegations.{quote_key(code)}]")
    weekend = _optional(raw, "weekend", _weekend_value)
    return Delegation(
        code=code,
        name=_required(raw, "name", _line_value),
        tz_name=_required(raw, "timezone", _zone_value),
        hours=_optional(raw, "hours", _hours_value) or event.hours,
        weekend=(5, 6) if weekend is None else weekend,
        holidays=tuple(_optional(raw, "holidays", _DATES) or ()),
        email=_optional(raw, "email", _email_value),
    )


def _read_person(person_id: str, raw: dict[str, Any]) -> Person:
    _check_keys(raw, _PERSON_KEYS, where=f"[people.{quote_key(person_id)}]")
    return Person(
        id=person_id,
        name=_required(raw, "name", _line_value),
        delegation=_optional(raw, "delegation", _id_value),
        email=_optional(raw, "email", _email_value),
    )


def _read_room(room_id: str, raw: dict[str, Any]) -> Room:
    _check_keys(raw, _ROOM_KEYS, where=f"[rooms.{quote_key(room_id)}]")
    return Room(
        id=room_id,
        name=_required(raw, "name", _line_value),
        url=_optional(raw, "url", _url_value),
    )


def _read_sessions(
    document: dict[str, Any], event: Event, more: Iterator[Any] | None
) -> tuple[Session, ...]:
    raw = document.get("sessions", [])
    if not isinstance(raw, list):
        with inside("sessions"):
            raise VconfError(f"expected an array of tables ([[sessions]]), got {_describe(raw)}")
    sessions: list[Session] = []
    seen: dict[str, int] = {}
    folded: dict[str, str] = {}
    for number, item in enumerate(more if more is not None else _emptied(raw), start=1):
        if number > MAX_SESSIONS:
            with inside("sessions"):
                raise VconfError(f"more sessions than the limit of {MAX_SESSIONS}")
        label = f"sessions[{number}]"
        if (
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and ID_PATTERN.fullmatch(item["id"])
        ):
            label += f" ({item['id']})"
        with inside(label):
            session = _read_session(_table(item), event, number)
            if session.id in seen:
                with inside("id"):
                    raise VconfError(
                        f"duplicate session id {session.id!r}, "
                        f"already used by sessions[{seen[session.id]}]"
                    )
            with inside("id"):
                _check_case(session.id, folded, invite_path)
        seen[session.id] = number
        sessions.append(session)
    return tuple(sessions)


def _emptied(raw: list[Any]) -> Iterator[Any]:
    """Yield each table of a parsed array, then free it: the document is ours (peak RSS)."""
    for position in range(len(raw)):
        yield raw[position]
        raw[position] = None


def _read_session(raw: dict[str, Any], event: Event, number: int) -> Session:
    _check_keys(raw, _SESSION_KEYS, where="a session")
    tz_name = _optional(raw, "timezone", _zone_value) or event.tz_name
    start = _required(raw, "start", _datetime_value)
    has_end, has_duration = "end" in raw, "duration" in raw
    if has_end == has_duration:
        what = "both" if has_end else "neither"
        raise VconfError(f"expected exactly one of 'duration' and 'end', got {what}")
    end = _optional(raw, "end", _datetime_value)
    duration = _optional(raw, "duration", _duration_value)
    if end is not None:
        with inside("end"):
            _check_after(start, end, tz_name)
    people = {
        key: tuple(_optional(raw, key, _IDS) or ())
        for key in ("speakers", "moderators", "attendees")
    }
    if sum(len(ids) for ids in people.values()) > MAX_PEOPLE_PER_SESSION:
        raise VconfError(f"more than {MAX_PEOPLE_PER_SESSION} people in one session, the limit")
    return Session(
        id=_required(raw, "id", _id_value),
        title=_required(raw, "title", _line_value),
        start=start,
        tz_name=tz_name,
        number=number,
        end=end,
        duration=duration,
        kind=_optional(raw, "kind", _KIND) or Kind.OTHER,
        room=_optional(raw, "room", _id_value),
        delegations=tuple(_optional(raw, "delegations", _CODES) or ()),
        speakers=people["speakers"],
        moderators=people["moderators"],
        attendees=people["attendees"],
        languages=tuple(_optional(raw, "languages", _IDS) or ()),
        visibility=_optional(raw, "visibility", _VISIBILITY) or Visibility.PUBLIC,
        description=_optional(raw, "description", _text_value) or "",
    )


def _check_after(start: datetime, end: datetime, tz_name: str) -> None:
    """Raise unless `end` is a later instant than `start` (local times read in `tz_name`)."""
    if _instant(end, tz_name) <= _instant(start, tz_name):
        raise VconfError(f"expected an end after the start ({_show(start)}), got {_show(end)}")


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
    for key in ("speakers", "moderators", "attendees"):
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


# ---- keys and values -------------------------------------------------------------------------


def _check_keys(raw: Mapping[str, Any], allowed: Iterable[str], *, where: str) -> None:
    allowed = tuple(allowed)
    for key in raw:
        if key not in allowed:
            with inside(key):
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"expected one of {', '.join(allowed)}"
                )
                raise VconfError(f"unknown key in {where}; {hint}")


def _required(raw: Mapping[str, Any], key: str, read: Callable[..., T], **options: Any) -> T:
    if key not in raw:
        raise VconfError(f"missing required key {key!r}")
    return _read_at(key, raw[key], read, options)


def _optional(raw: Mapping[str, Any], key: str, read: Callable[..., T], **options: Any) -> T | None:
    if key not in raw:
        return None
    return _read_at(key, raw[key], read, options)


def _read_at(key: str, value: Any, read: Callable[..., T], options: dict[str, Any]) -> T:
    """Read one value, prefixing `key` to the path of any error (`inside`, without its cost)."""
    try:
        return read(value, **options)
    except VconfError as error:
        error.path = (key, *error.path)
        raise


def _table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VconfError(f"expected a table, got {_describe(value)}")
    return value


def _string(value: Any, expected: str = "a string") -> str:
    if not isinstance(value, str):
        raise VconfError(f"expected {expected}, got {_describe(value)}")
    if len(value) > MAX_TEXT:
        raise VconfError(f"expected at most {MAX_TEXT} characters, got {len(value)}")
    return value


def _line_value(value: Any) -> str:
    text = _string(value, "a string").strip()
    if not text:
        raise VconfError("expected a non-empty string")
    if _CONTROL.search(text):
        raise VconfError("expected one line of text without control characters")
    return text


def _text_value(value: Any) -> str:
    text = _string(value, "a string")
    if _CONTROL_MULTILINE.search(text):
        raise VconfError("expected text without control characters (newlines and tabs are fine)")
    return text


def _id_value(value: Any) -> str:
    return _check_id(_string(value, "an id (letters, digits, '.', '_', '-')"))


def _check_id(text: str) -> str:
    if not ID_PATTERN.fullmatch(text) or len(text) > 200:
        raise VconfError(
            f"expected an id of letters, digits, '.', '_' and '-' starting with a letter or digit, "
            f"got {_describe(text)}"
        )
    return text


def _code_or_star(value: Any) -> str:
    if value == "*":
        return "*"
    return _id_value(value)


def _zone_value(value: Any) -> str:
    return check_zone_name(_string(value, "an IANA time zone name like 'Asia/Jakarta'"))


def _email_value(value: Any) -> str:
    text = _string(value, "an email address").strip()
    if not _EMAIL.fullmatch(text):
        raise VconfError(f"expected an email address like name@example.org, got {_describe(text)}")
    return text


def _url_value(value: Any) -> str:
    text = _string(value, "a URL").strip()
    if not _URL.fullmatch(text):
        raise VconfError(f"expected a URL like https://meet.example/room, got {_describe(text)}")
    return text


def _domain_value(value: Any) -> str:
    text = _string(value, "a domain name").strip()
    if not _DOMAIN.fullmatch(text) or len(text) > 253:
        raise VconfError(f"expected a domain name like example.org, got {_describe(text)}")
    return text


def _contact_value(value: Any) -> Contact:
    raw = _table(value)
    _check_keys(raw, ("name", "email"), where="organizer")
    return Contact(_required(raw, "name", _line_value), _optional(raw, "email", _email_value))


def _date_value(value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise VconfError(f"expected a date like 2021-11-16 (no quotes), got {_describe(value)}")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise VconfError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {value.year}")
    return value


def _datetime_value(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise VconfError(
            f"expected a date-time like 2021-11-16T14:00:00 (no quotes), got {_describe(value)}"
        )
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise VconfError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {value.year}")
    moment: datetime = value.replace(microsecond=0)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc)


def _duration_value(value: Any, *, allow_zero: bool = False) -> timedelta:
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    elif (
        isinstance(value, str)
        and (match := _DURATION.fullmatch(value.strip()))
        and any(match.groups())
    ):
        minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    else:
        raise VconfError(f'expected a duration like "45m", "1h30m" or 90, got {_describe(value)}')
    if minutes < 0 or (minutes == 0 and not allow_zero) or minutes > 60 * 24 * 366:
        raise VconfError(f"expected a positive duration of at most a year, got {_describe(value)}")
    return timedelta(minutes=minutes)


def _hours_value(value: Any) -> Hours:
    text = _string(value, 'hours like "08:00-21:00"')
    match = _HOURS.fullmatch(text.strip())
    if match:
        start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if (
            start_h < 24
            and end_h <= 24
            and start_m < 60
            and end_m < 60
            and end <= 1440
            and start < end
        ):
            return Hours(start, end)
    raise VconfError(
        'expected hours like "08:00-21:00" (end may be 24:00, after the start), '
        f"got {_describe(text)}"
    )


def _weekend_value(value: Any) -> tuple[int, ...]:
    names = _list_of(lambda item: _string(item, "a day name"))(value)
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    by_name = {name.lower(): number for number, name in enumerate(WEEKDAYS)}
    by_name.update({name: number for number, name in enumerate(full)})
    days = []
    for index, name in enumerate(names):
        key = name.strip().lower()
        if key not in by_name:
            with inside(f"[{index + 1}]"):
                raise VconfError(
                    f"expected a day name ({', '.join(WEEKDAYS)}), got {_describe(name)}"
                )
        days.append(by_name[key])
    return tuple(sorted(set(days)))


def _enum_value(enum_type: type[Any]) -> Callable[[Any], Any]:
    members = {member.value: member for member in enum_type}

    def read(value: Any) -> Any:
        member = members.get(value) if isinstance(value, str) else None
        if member is None:
            raise VconfError(f"expected one of {', '.join(members)}, got {_describe(value)}")
        return member

    return read


def _list_of(read: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    def read_list(value: Any) -> list[T]:
        if not isinstance(value, list):
            raise VconfError(f"expected an array, got {_describe(value)}")
        items = []
        for index, item in enumerate(value, start=1):
            try:
                items.append(read(item))
            except VconfError as error:
                error.path = (f"[{index}]", *error.path)
                raise
        return items

    return read_list


def _describe(value: Any) -> str:
    """Describe a TOML value for a message, without Python reprs of containers."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, time):
        return f"the time {value.isoformat()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return "a value of another type"


def read_duration(text: str) -> timedelta:
    """Return a duration written as on the command line (`"1h30m"`, `"90m"`, `"90"`)."""
    value: Any = int(text) if text.strip().isdigit() else text
    return _duration_value(value)


_DATES = _list_of(_date_value)
_IDS = _list_of(_id_value)
_CODES = _list_of(_code_or_star)
_KIND = _enum_value(Kind)
_VISIBILITY = _enum_value(Visibility)
