"""The store's tables: the schema, the rows read back with every check, the rows written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vconf.errors import VconfError
from vconf.files import CALENDAR_PATH
from vconf.invitations import Attendee
from vconf.model import Visibility
from vconf.revisions.messages import create_mail_tables
from vconf.revisions.records import Record, Revision, Stamp, Status, Tombstone
from vconf.timezones import parse_utc, utc_text

if TYPE_CHECKING:
    import sqlite3

SCHEMA_VERSION = 2  # 2: the mail tables (revisions.messages), migrated from 1
APPLICATION_ID = 0x76636F6E  # "vcon"
RESET_HINT = "run again with --reset-state to start afresh (it keeps the old file as a backup)"
_VISIBILITIES = frozenset(visibility.value for visibility in Visibility)

_STATUSES = ", ".join(f"'{status.value}'" for status in Status)  # 'active', 'cancelled'
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS calendar (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    uid TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    dtstamp TEXT NOT NULL,
    hash TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_STATUSES})),
    paths TEXT NOT NULL,
    attendees TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tombstones (
    session_id TEXT NOT NULL,
    path TEXT NOT NULL,
    uid TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    dtstamp TEXT NOT NULL,
    content TEXT NOT NULL,
    attendees TEXT NOT NULL,
    PRIMARY KEY (session_id, path)
);
CREATE TABLE IF NOT EXISTS floors (uid TEXT PRIMARY KEY, sequence INTEGER NOT NULL);
"""


@dataclass
class Contents:
    """Everything a store holds (docs/revisions.md): the snapshot a revision is planned on."""

    calendar: tuple[str, str] | None = None
    records: dict[str, Record] = field(default_factory=dict)
    tombstones: dict[tuple[str, str], Tombstone] = field(default_factory=dict)
    floors: dict[str, int] = field(default_factory=dict)
    issued: datetime | None = None
    pending: bool = False


def read_contents(connection: sqlite3.Connection, path: Path) -> Contents | None:
    """Return what the database at `path` holds, None for a new one; a VconfError naming
    --reset-state for a damaged, foreign or newer one.
    """
    import sqlite3

    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if (application_id, version, tables) == (0, 0, 0):  # new, or never committed
            return None
        _check_version(path, application_id, version)
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise ValueError("SQLite's quick_check failed")
        return _read_rows(connection)
    except sqlite3.Error as error:
        raise damaged(path, error) from error
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise damaged(path, error) from error


def write_contents(
    connection: sqlite3.Connection, revision: Revision, floors: Mapping[str, int]
) -> None:
    """Write a revision's rows (inside the caller's transaction), creating the tables if new."""
    for statement in SCHEMA.split(";"):  # not executescript: it would COMMIT first
        if statement.strip():
            connection.execute(statement)
    create_mail_tables(connection)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.executemany(
        "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_session_row(record) for record in revision.records],
    )
    connection.execute("DELETE FROM tombstones")
    connection.executemany(
        "INSERT INTO tombstones VALUES (?, ?, ?, ?, ?, ?, ?)",
        [_tombstone_row(tombstone) for tombstone in revision.tombstones],
    )
    connection.executemany("INSERT OR IGNORE INTO floors VALUES (?, ?)", floors.items())
    set_values(
        connection,
        event_id=revision.event_id,
        uid_domain=revision.uid_domain,
        issued=utc_text(revision.now),
        state="pending",
    )


def set_values(connection: sqlite3.Connection, **values: str) -> None:
    """Set `calendar` keys."""
    connection.executemany("INSERT OR REPLACE INTO calendar VALUES (?, ?)", sorted(values.items()))


def damaged(path: Path, error: Exception) -> VconfError:
    """Return the error for a store that does not read back."""
    return VconfError(
        f"{path} is damaged ({error}), so vconf cannot tell what it issued before; {RESET_HINT}"
    )


def _check_version(path: Path, application_id: int, version: int) -> None:
    if application_id != APPLICATION_ID:
        raise VconfError(
            f"{path} is not a vconf revision store (another program's SQLite file), so vconf "
            f"cannot tell what it issued before; {RESET_HINT}"
        )
    if version > SCHEMA_VERSION:
        raise VconfError(
            f"{path} was written by a newer vconf (store schema {version}; this vconf reads up "
            f"to {SCHEMA_VERSION}): upgrade vconf, or {RESET_HINT}"
        )
    if version < 1:
        raise ValueError(f"schema version {version}")


def _read_rows(connection: sqlite3.Connection) -> Contents:
    meta = dict(connection.execute("SELECT key, value FROM calendar").fetchall())
    sessions = connection.execute(
        "SELECT id, uid, sequence, dtstamp, hash, content, status, paths, attendees FROM sessions"
    )
    tombstones = connection.execute(
        "SELECT session_id, path, uid, sequence, dtstamp, content, attendees FROM tombstones"
    )
    floors = connection.execute("SELECT uid, sequence FROM floors")
    return Contents(
        calendar=(str(meta["event_id"]), str(meta["uid_domain"])),
        records={str(row[0]): _record_of(row) for row in sessions},
        tombstones={(str(row[0]), str(row[1])): _tombstone_of(row) for row in tombstones},
        floors={str(uid): _count(sequence) for uid, sequence in floors},
        issued=parse_utc(meta["issued"]) if "issued" in meta else None,
        pending=meta.get("state") == "pending",
    )


def _record_of(row: tuple[Any, ...]) -> Record:
    """Return a `sessions` row as a record; ValueError or KeyError when it does not read back."""
    session_id, uid, sequence, dtstamp, digest, content, status, paths, attendees = row
    fields = _content(json.loads(content))
    return Record(
        id=str(session_id),
        uid=str(uid),
        stamp=Stamp(_count(sequence), parse_utc(dtstamp)),
        hash=str(digest),
        content=fields,
        status=Status(status),  # ValueError for any other
        paths=_paths(json.loads(paths)),
        attendees=_attendees(json.loads(attendees)),
    )


def _tombstone_of(row: tuple[Any, ...]) -> Tombstone:
    session_id, path, uid, sequence, dtstamp, content, attendees = row
    fields = _content(json.loads(content))
    return Tombstone(
        session_id=str(session_id),
        path=_paths([path])[0],
        uid=str(uid),
        stamp=Stamp(_count(sequence), parse_utc(dtstamp)),
        start_utc=parse_utc(fields["start"]),
        end_utc=parse_utc(fields["end"]),
        title=fields["title"],
        restricted=fields["visibility"] != Visibility.PUBLIC.value,
        attendees=_attendees(json.loads(attendees)),
    )


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"not a SEQUENCE: {value!r}")
    return value


def _content(value: object) -> dict[str, str]:
    """Return stored content: texts by field, with readable times, a title and a visibility."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("content is not a map of texts")
    content = {str(key): text for key, text in value.items()}
    for time in ("start", "end"):
        parse_utc(content[time])
    if "title" not in content or content.get("visibility") not in _VISIBILITIES:
        raise ValueError("content without a title or visibility")
    return content


def _paths(value: object) -> tuple[str, ...]:
    """Return stored file paths, each one vconf writes (so none can leave DIR)."""
    if not isinstance(value, list) or not all(
        isinstance(path, str) and CALENDAR_PATH.fullmatch(path) for path in value
    ):
        raise ValueError(f"not a list of calendar paths: {value!r}")
    return tuple(value)


def _attendees(value: object) -> tuple[Attendee, ...]:
    if not isinstance(value, list):
        raise ValueError("attendees are not a list")
    attendees = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 4
            or not all(isinstance(x, str) for x in item)
        ):
            raise ValueError(f"not an attendee: {item!r}")
        attendees.append(Attendee(*item))
    return tuple(attendees)


def _session_row(record: Record) -> tuple[object, ...]:
    return (
        record.id,
        record.uid,
        record.stamp.sequence,
        utc_text(record.stamp.dtstamp),
        record.hash,
        _json(dict(record.content)),
        record.status.value,
        _json(list(record.paths)),
        _json(_attendee_lists(record.attendees)),
    )


def _tombstone_row(tombstone: Tombstone) -> tuple[object, ...]:
    content = {
        "start": utc_text(tombstone.start_utc),
        "end": utc_text(tombstone.end_utc),
        "title": tombstone.title,
        "visibility": (Visibility.RESTRICTED if tombstone.restricted else Visibility.PUBLIC).value,
    }
    return (
        tombstone.session_id,
        tombstone.path,
        tombstone.uid,
        tombstone.stamp.sequence,
        utc_text(tombstone.stamp.dtstamp),
        _json(content),
        _json(_attendee_lists(tombstone.attendees)),
    )


def _attendee_lists(attendees: Iterable[Attendee]) -> list[list[str]]:
    return [[a.email, a.name, a.role, a.cutype] for a in attendees]


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
