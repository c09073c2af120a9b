"""The store: `DIR/.vconf/state.sqlite` read whole, written in one transaction, under a lock."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from vconf.errors import VconfError
from vconf.files import (
    MARKER,
    fault_point,
    lock_path,
    prepare_state_dir,
    remove_temporary_files,
    replace_staged,
    stage_files,
    state_path,
)
from vconf.revisions.messages import (
    IssuedVersion,
    Recipient,
    issued_versions,
    migrate,
    write_versions,
)
from vconf.revisions.records import Reset, Revision
from vconf.revisions.rows import (
    RESET_HINT,
    Contents,
    damaged,
    read_contents,
    set_values,
    write_contents,
)

if TYPE_CHECKING:
    import sqlite3

LOCK_WAIT = 3.0  # seconds a second run waits for the first before it stops (SPEC §6)
_UTC = timezone.utc
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_UNFOLD = re.compile(rb"\r?\n[ \t]")
_SUFFIXES = ("", "-journal", "-wal", "-shm")  # a database and the files SQLite keeps beside it


# ---- the store ---------------------------------------------------------------------------------


@dataclass(eq=False)
class Store:
    """What an output directory was issued: read whole when opened, written by `commit_revision`.

    A store from `open_store` holds DIR's lock until closed; one from `read_store` is a
    read-only snapshot (a dry run) and cannot be committed. `contents` is what it holds (the
    snapshot `plan_revision` reads); `removed_temporary_files` counts the files a killed run
    left, removed when it was opened; `reset` is the store --reset-state set aside.
    """

    directory: Path
    contents: Contents = field(default_factory=Contents)
    removed_temporary_files: int = 0
    reset: Reset | None = None
    connection: sqlite3.Connection | None = None
    lock: int | None = None

    @property
    def path(self) -> Path:
        """The store's file, `DIR/.vconf/state.sqlite`."""
        return state_path(self.directory)

    def close(self) -> None:
        """Close the database and release DIR's lock."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.lock is not None:
            os.close(self.lock)  # closing the descriptor releases the flock
            self.lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(directory: Path, *, reset: bool = False) -> Store:
    """Return DIR's store, locked for this run, after removing a killed run's temporary files.

    Creates DIR and `DIR/.vconf/` when missing (not the database: `commit_revision` does).
    With `reset`, an existing store is first moved aside (`Reset`). Raises a VconfError when
    another run holds the lock for `LOCK_WAIT` seconds, and for a damaged, foreign or newer
    store (naming --reset-state).
    """
    import sqlite3

    prepare_state_dir(directory)
    store = Store(directory, lock=_take_lock(lock_path(directory), directory))
    try:
        store.removed_temporary_files = remove_temporary_files(directory)
        if reset:
            store.reset = _set_aside(store.path)
        _refuse_link(store.path)
        try:
            store.connection = sqlite3.connect(store.path, isolation_level=None, timeout=LOCK_WAIT)
        except sqlite3.Error as error:
            raise VconfError(f"cannot open {store.path}: {error}") from error
        _load(store, store.connection)
        _migrate(store, store.connection)
    except BaseException:
        store.close()
        raise
    return store


def _migrate(store: Store, connection: sqlite3.Connection) -> None:
    """Bring a store written by an older vconf up to this schema (`revisions.messages`)."""
    import sqlite3

    try:
        migrate(connection)
    except sqlite3.Error as error:
        raise VconfError(f"cannot upgrade {store.path}: {error}") from error


def read_store(directory: Path, *, reset: bool = False) -> Store:
    """Return a read-only snapshot of DIR's store, for a dry run: nothing is created or locked.

    With `reset`, the snapshot is the fresh store `open_store(reset=True)` would start.
    """
    import sqlite3

    store = Store(directory)
    path = store.path
    if not os.path.lexists(path) or reset:
        if reset and os.path.lexists(path):
            store.reset = Reset(f"state-{_backup_time()}.sqlite", _peek_calendar(path))
        store.contents.floors = _sequences_on_disk(directory)
        return store
    _refuse_link(path)
    uri = path.absolute().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT)
    except sqlite3.Error as error:
        raise damaged(path, error) from error
    try:
        _load(store, connection)
    finally:
        connection.close()
    return store


def _take_lock(path: Path, directory: Path) -> int:
    """Return the descriptor of DIR's lock file, locked; wait `LOCK_WAIT` s for another run."""
    import fcntl  # POSIX only, like files.write_all; importing vconf.export must not need it

    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o666)
    except OSError as error:
        raise VconfError(f"cannot open the lock file {path}: {error.strerror}") from error
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return descriptor
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(descriptor)
                raise VconfError(
                    f"another vconf run is writing into {directory} (it holds {path}); waited "
                    f"{LOCK_WAIT:g} s: try again when it has finished"
                ) from None
            time.sleep(0.05)


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise VconfError(f"refusing to use {path}: it is a symbolic link; {RESET_HINT}")


def _set_aside(path: Path) -> Reset | None:
    """Move a store (and SQLite's files beside it) to `state-<UTC time>.sqlite`; None if none."""
    if not os.path.lexists(path):
        return None
    calendar = _peek_calendar(path)
    stamp = _backup_time()
    backup = path.with_name(f"state-{stamp}.sqlite")
    number = 1
    while any(os.path.lexists(f"{backup}{suffix}") for suffix in _SUFFIXES):
        number += 1
        backup = path.with_name(f"state-{stamp}-{number}.sqlite")
    try:
        for suffix in _SUFFIXES:
            if os.path.lexists(f"{path}{suffix}"):
                os.rename(f"{path}{suffix}", f"{backup}{suffix}")
    except OSError as error:
        raise VconfError(f"cannot move {path} aside to {backup}: {error.strerror}") from error
    return Reset(backup.name, calendar)


def _backup_time() -> str:
    return datetime.now(_UTC).strftime("%Y%m%dT%H%M%SZ")


def _peek_calendar(path: Path) -> tuple[str, str] | None:
    """Return the (event id, uid_domain) a store holds, or None if it cannot be read."""
    import sqlite3

    if path.is_symlink():
        return None
    try:
        connection = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
        try:
            meta = dict(connection.execute("SELECT key, value FROM calendar").fetchall())
        finally:
            connection.close()
        return str(meta["event_id"]), str(meta["uid_domain"])
    except (sqlite3.Error, KeyError):
        return None


# ---- the SEQUENCEs already on disk ---------------------------------------------------------------


def _load(store: Store, connection: sqlite3.Connection) -> None:
    """Fill `store` from its database; a new one starts with the SEQUENCEs found on disk."""
    contents = read_contents(connection, store.path)
    if contents is None:
        store.contents.floors = _sequences_on_disk(store.directory)
        return
    store.contents = contents


def _sequences_on_disk(directory: Path) -> dict[str, int]:
    """Return the highest SEQUENCE of each UID in DIR's .ics files (no link followed)."""
    floors: dict[str, int] = {}
    if not directory.is_dir():
        return floors
    for _, folders, names, descriptor in os.fwalk(directory.resolve()):
        folders[:] = [name for name in folders if name != MARKER]
        for name in names:
            if name.endswith(".ics"):
                _read_sequences(_read_bytes(name, descriptor), floors)
    return floors


def _read_bytes(name: str, folder: int) -> bytes:
    try:
        descriptor = os.open(name, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=folder)
    except OSError:
        return b""
    with os.fdopen(descriptor, "rb") as file:
        return file.read()


def _read_sequences(data: bytes, floors: dict[str, int]) -> None:
    """Add each VEVENT's UID and SEQUENCE (0 when absent) in an .ics file to `floors`."""
    uid, sequence = "", 0
    for line in _UNFOLD.sub(b"", data).split(b"\n"):
        line = line.rstrip(b"\r")
        if line == b"BEGIN:VEVENT":
            uid, sequence = "", 0
        elif line.startswith(b"UID:"):
            uid = line[4:].decode("utf-8", "replace")
        elif line.startswith(b"SEQUENCE:") and line[9:].strip().isdigit():
            sequence = int(line[9:])
        elif line == b"END:VEVENT" and uid:
            floors[uid] = max(floors.get(uid, 0), sequence)


# ---- writing -----------------------------------------------------------------------------------


def issue_revision(
    store: Store,
    revision: Revision,
    files: Mapping[str, bytes],
    *,
    recipients: Mapping[str, tuple[Recipient, ...]] | None = None,
    write: Callable[[], list[str]] | None = None,
) -> list[str]:
    """Record the revision, write its files, mark it done; return the files that changed (those
    already holding the same bytes are left alone) as sorted paths relative to DIR.

    The invitation versions among `files` are recorded with the revision (for `vconf send`),
    `recipients` giving each session's invitees with their zones. `write`, when given, writes
    `files` and more into DIR once the record is made, and returns what `replace_staged` does:
    an export whose agenda pages a second process renders meanwhile (`vconf.output`).

    The order is what makes a kill at any moment safe (docs/revisions.md, "The order of a run").
    """
    commit_revision(store, revision, issued_versions(files, recipients or {}))
    fault_point("recorded")
    if write is None:
        written = replace_staged(store.directory, [stage_files(store.directory, files)])
    else:
        written = write()
    fault_point("written")
    finish_revision(store)
    return written


def commit_revision(
    store: Store, revision: Revision, versions: Iterable[IssuedVersion] = ()
) -> None:
    """Record a revision and the invitation versions it issues in one transaction, marked
    `pending` until `finish_revision`.
    """
    connection = _writable(store)
    with _transaction(store, connection):
        write_contents(connection, revision, store.contents.floors)
        write_versions(connection, versions)
        fault_point("recording")
    _remember(store, revision)


def finish_revision(store: Store) -> None:
    """Mark the recorded revision done: every one of its files is written."""
    connection = _writable(store)
    with _transaction(store, connection):
        set_values(connection, state="done")
    store.contents.pending = False


def _writable(store: Store) -> sqlite3.Connection:
    if store.connection is None:
        raise RuntimeError("a read-only store (read_store) cannot be committed")
    return store.connection


@contextmanager
def _transaction(store: Store, connection: sqlite3.Connection) -> Iterator[None]:
    """Run the block in one immediate transaction; an SQLite error becomes a VconfError."""
    import sqlite3

    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        raise VconfError(f"cannot record the export in {store.path}: {error}") from error


def _remember(store: Store, revision: Revision) -> None:
    """Bring the store's snapshot up to the recorded revision."""
    contents = store.contents
    contents.records.update((record.id, record) for record in revision.records)
    contents.tombstones = {(t.session_id, t.path): t for t in revision.tombstones}
    contents.calendar = (revision.event_id, revision.uid_domain)
    contents.issued, contents.pending = revision.now, True
    store.reset, store.removed_temporary_files = None, 0
