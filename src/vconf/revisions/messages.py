"""The store's mail tables (SPEC §9): every invitation version issued, and each message's state.

Schema 2 adds them to schema 1 (today's release): `migrate` brings a schema 1 store up in one
transaction, `PRAGMA user_version` saying which it is. Rows are plain values here; `mail` gives
them their meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from vconf.errors import VconfError
from vconf.files import is_invite_path
from vconf.timezones import utc_text

if TYPE_CHECKING:
    import sqlite3

MAIL_SCHEMA_VERSION = 2
MESSAGE_STATES = ("pending", "sent", "failed", "unknown")
_STATES = ", ".join(f"'{state}'" for state in MESSAGE_STATES)
MAIL_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS invitation (
    uid TEXT NOT NULL,
    sequence INTEGER NOT NULL CHECK (sequence >= 0),
    session_id TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
    ics BLOB NOT NULL,
    PRIMARY KEY (uid, sequence)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS invitation_recipient (
    uid TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    tz_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uid, sequence, recipient),
    FOREIGN KEY (uid, sequence) REFERENCES invitation (uid, sequence)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS message (
    uid TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
    state TEXT NOT NULL CHECK (state IN ({_STATES})),
    message_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    updated_utc TEXT NOT NULL,
    PRIMARY KEY (uid, sequence, recipient)
) WITHOUT ROWID;
"""
_UNFOLD = re.compile(rb"\r?\n[ \t]")
# a METHOD, UID or SEQUENCE content line at the start of a line, with its folded continuations
_FIELD = re.compile(rb"^(METHOD|UID|SEQUENCE):((?:[^\r\n]|\r?\n[ \t])*)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One invitee of an issued version: the address, the name and their delegation's zone."""

    address: str
    name: str = ""
    tz_name: str = ""


@dataclass(frozen=True, slots=True)
class IssuedVersion:
    """One invitation version as export wrote it: `invites/<session id>.ics`, byte for byte."""

    session_id: str
    uid: str
    sequence: int
    method: str
    ics: bytes
    recipients: tuple[Recipient, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageRow:
    """The recorded state of the message of one version to one recipient."""

    uid: str
    sequence: int
    address: str
    name: str
    method: str
    state: str
    message_id: str
    detail: str = ""


def recipient_key(address: str) -> str:
    """Return the form of an address that identifies a mailbox: case-blind."""
    return address.strip().lower()


def create_mail_tables(connection: sqlite3.Connection) -> None:
    """Create the mail tables when missing (inside the caller's transaction)."""
    for statement in MAIL_SCHEMA.split(";"):  # not executescript: it would COMMIT first
        if statement.strip():
            connection.execute(statement)


def migrate(connection: sqlite3.Connection) -> bool:
    """Bring a schema 1 store to schema 2 in one transaction; return whether it did.

    A new (empty) store is left alone: the first export creates every table.
    """
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == 0 or version >= MAIL_SCHEMA_VERSION:
        return False
    connection.execute("BEGIN IMMEDIATE")
    try:
        create_mail_tables(connection)
        connection.execute(f"PRAGMA user_version = {MAIL_SCHEMA_VERSION}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return True


def issued_versions(
    files: Mapping[str, bytes],
    recipients: Mapping[str, tuple[Recipient, ...]],
) -> tuple[IssuedVersion, ...]:
    """Return the invitation versions among an export's files, `recipients` by session id."""
    versions = []
    for path in sorted(files):
        if not is_invite_path(path):
            continue
        session_id = path.rsplit("/", 1)[1].removesuffix(".ics")
        fields = _fields(files[path])
        versions.append(
            IssuedVersion(
                session_id=session_id,
                uid=fields["UID"],
                sequence=int(fields["SEQUENCE"]),
                method=fields["METHOD"],
                ics=files[path],
                recipients=recipients.get(session_id, ()),
            )
        )
    return tuple(versions)


def write_versions(connection: sqlite3.Connection, versions: Iterable[IssuedVersion]) -> None:
    """Record issued versions (inside the caller's transaction); one already held is kept.

    A version once recorded is what its recipients got or will get: a later export that writes
    the same (UID, SEQUENCE) writes the same bytes, and a first one wins.
    """
    create_mail_tables(connection)
    versions = list(versions)
    connection.executemany(  # one statement for all: 20,000 executes cost a third of a second
        "INSERT OR IGNORE INTO invitation VALUES (?, ?, ?, ?, ?)",
        [
            (version.uid, version.sequence, version.session_id, version.method, version.ics)
            for version in versions
        ],
    )
    connection.executemany(
        "INSERT OR IGNORE INTO invitation_recipient VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                version.uid,
                version.sequence,
                recipient_key(person.address),
                person.address,
                person.name,
                person.tz_name,
            )
            for version in versions
            for person in version.recipients
        ],
    )


def read_versions(connection: sqlite3.Connection) -> tuple[IssuedVersion, ...]:
    """Return every recorded version, by UID then SEQUENCE; none for a store without mail tables."""
    if not _has_mail_tables(connection):
        return ()
    people: dict[tuple[str, int], list[Recipient]] = {}
    for uid, sequence, address, name, tz_name in connection.execute(
        "SELECT uid, sequence, address, name, tz_name FROM invitation_recipient"
        " ORDER BY uid, sequence, recipient"
    ):
        people.setdefault((str(uid), int(sequence)), []).append(
            Recipient(str(address), str(name), str(tz_name))
        )
    return tuple(
        IssuedVersion(
            session_id=str(session_id),
            uid=str(uid),
            sequence=int(sequence),
            method=str(method),
            ics=bytes(ics),
            recipients=tuple(people.get((str(uid), int(sequence)), ())),
        )
        for uid, sequence, session_id, method, ics in connection.execute(
            "SELECT uid, sequence, session_id, method, ics FROM invitation ORDER BY uid, sequence"
        )
    )


def read_messages(connection: sqlite3.Connection) -> tuple[MessageRow, ...]:
    """Return every recorded message state, by UID, SEQUENCE and recipient."""
    if not _has_mail_tables(connection):
        return ()
    return tuple(
        MessageRow(str(a), int(b), str(c), str(d), str(e), str(f), str(g), str(h))
        for a, b, c, d, e, f, g, h in connection.execute(
            "SELECT uid, sequence, address, name, method, state, message_id, detail"
            " FROM message ORDER BY uid, sequence, recipient"
        )
    )


def set_message(connection: sqlite3.Connection, row: MessageRow, *, now: datetime) -> None:
    """Record one message's state, committed before this returns (the never-twice guarantee)."""
    import sqlite3

    if row.state not in MESSAGE_STATES:
        raise ValueError(f"not a message state: {row.state!r}")
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT OR REPLACE INTO message VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.uid,
                row.sequence,
                recipient_key(row.address),
                row.address,
                row.name,
                row.method,
                row.state,
                row.message_id,
                row.detail,
                utc_text(now),
            ),
        )
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise VconfError(f"cannot record a message's state: {error}") from error


@contextmanager
def quick_commits(connection: sqlite3.Connection) -> Iterator[None]:
    """Commit message states without an fsync each, for the span of one delivery run.

    Write-ahead logging with `synchronous=NORMAL`: a committed state survives the process being
    killed at any moment (the log reaches the kernel before COMMIT returns), which is what the
    never-twice guarantee is about; only a power cut could lose the last few. Two fsyncs a
    message cost 5-15 ms each here, which would hold delivery under 100 messages a second.
    The store goes back to its rollback journal (checkpointed, no -wal file left) at the end.
    """
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("PRAGMA synchronous = FULL")


def _has_mail_tables(connection: sqlite3.Connection) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'invitation'"
    ).fetchone()[0]
    return bool(found)


def _fields(ics: bytes) -> dict[str, str]:
    """Return the first METHOD, UID and SEQUENCE of an invitation file; refuse one without.

    The scan stops at the third name found (the header and the first VEVENT's opening lines):
    an export's 20,000 invitations, 80 MB, are not unfolded and decoded whole.
    """
    fields: dict[str, str] = {}
    for found in _FIELD.finditer(ics):
        name = found[1].decode("ascii")
        if name not in fields:
            fields[name] = _UNFOLD.sub(b"", found[2]).decode("utf-8", "replace")
            if len(fields) == 3:
                break
    if len(fields) != 3 or not fields["SEQUENCE"].isdigit():
        raise VconfError("an invitation file lacks its METHOD, UID or SEQUENCE")
    return fields
