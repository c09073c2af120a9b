"""What was issued into an output directory, and what changed since (SPEC §6).

Modules: `records` (the records and a session's content), `changes` (`plan_revision`, pure),
`store` (lock, open, commit, the order of a run) and `rows` (the tables, read back with checks).

**The store** is `DIR/.vconf/state.sqlite`; this package is the only sqlite3 user. `PRAGMA
application_id` marks the file as vconf's (0x76636F6E, "vcon") and `PRAGMA user_version` is the
schema version (`SCHEMA_VERSION`). A file that is not SQLite, another program's SQLite file, a
newer schema or rows that do not read back are a VconfError (exit 2) that names `--reset-state`;
nothing is ever deleted: `--reset-state` moves the old file aside as `state-<UTC time>.sqlite`.

    calendar(key, value)   `event_id`, `uid_domain`: whose UIDs these are; `issued`: when the last
                           revision was recorded; `state`: `pending` from then until its files
                           are all written, then `done`.
    sessions(id, ...)      one row per session ever issued: `uid`, `sequence` and `dtstamp` last
                           issued, `content` (JSON, below) and its `hash`, `status` active or
                           cancelled, `paths` (JSON: the files that hold it active: public,
                           delegation and person calendars, and its invitation) and `attendees`
                           (JSON: who its invitation went to).
    tombstones(...)        a session shown cancelled in one file (`session_id`, `path`): in every
                           file that held a dropped session, and in the file of a person or
                           delegation taken off a session. It keeps the stamp it was cancelled
                           with and what that file last showed (times, title, visibility,
                           invitees), so every later export writes the same cancelled VEVENT.
    floors(uid, sequence)  the highest SEQUENCE found in DIR's .ics files when the store was
                           started afresh (an older vconf's DIR, `--reset-state`): a session such
                           a file holds is issued above it, never below.

**Content.** A session's content is every field its VEVENT (or invitation) shows, grouped under
SPEC §6's names: the times are `start`, `end` (UTC instants) and `zones` (the zones they are
written in); `title`; `room` (its id) and `room-details` (its name and link); `people` (`role:id`
in written order) and `people-details` (their names, delegations and addresses); `delegations`
(codes) and `delegation-details` (their names, zones and contacts: the description's local
times and the invitation's ATTENDEEs); `description`; `visibility`; and, beyond SPEC's list
because the VEVENT shows them too, `kind`, `languages` and `event` (the event zone and the
organizer). A change to any of them changes the VEVENT's bytes, so it must raise SEQUENCE, or
a client that holds the same SEQUENCE and DTSTAMP would ignore it. The change list names the
fields; it needs no old text for `room-details`, `people-details`, `delegation-details`,
`description` and `event`, so those are kept as the first 16 hex digits of their SHA-256, which
keeps the store small (about 30 MB for 20,000 sessions). The content `hash` is the SHA-256 of
the content as canonical JSON (keys sorted, no spaces, UTF-8).

**Issuing.** A new session gets SEQUENCE 0 (or one above its floor) and DTSTAMP now; an unchanged
one keeps both, so an unchanged plan rewrites byte-identical files; a changed one, one that
comes back after a cancel and one that is cancelled get the last SEQUENCE + 1 and now. The last
SEQUENCE is kept for good, so a restored session is always issued above its cancel.

**Cancelled copies** (tombstones) show a session's times in UTC, its title and class as that file
last showed them: a delegation taken off a session that became restricted learns nothing new.

**Another calendar.** The UIDs are `<session id>.<event id>@<uid_domain>`. When the event id or
uid_domain differs from the store's, every UID would change: calendars that imported the old
files would keep those events and get a second copy of each. vconf refuses (exit 2) and says so;
`--reset-state` starts the new calendar in DIR, and the change list then says it is one.

**The order of a run**, so that a run killed at any moment leaves every file whole and the next
run consistent:

1. Take `DIR/.vconf/lock` (`fcntl.flock`), retrying for `LOCK_WAIT` seconds, then exit 2:
   two runs on one DIR never interleave.
2. Remove the temporary files a killed run left (`files.remove_temporary_files`): under the lock
   none can belong to a live run.
3. Read the whole store, plan the revision and build every file in memory.
4. Record the revision in one transaction, with `state = pending` (`commit_revision`). From
   here on the store claims at least what any file in DIR says.
5. Write the files (`files.write_all`: each one whole, by renaming a temporary file over it).
6. Set `state = done` (a one-row update).

A dry run (`read_store`) reads a read-only snapshot, takes no lock and creates nothing.

Killed before 4 commits, DIR and store are as they were (SQLite rolls a torn transaction back)
and the next run is an ordinary one. Killed between 4 and 6, some files are old and some new,
and the store holds the new stamps. The next run plans against the store: with the same plan
nothing has changed, so it writes the files the killed run did not reach with the stamps that
run recorded, which is what it meant to write; with a plan edited meanwhile, SEQUENCEs go on
from the recorded ones, which are at least those on disk. A session is cancelled only by the
run whose plan lacks it, never by recovery. The other order (files, then store) would not do:
a run killed between the two would leave a CANCEL at SEQUENCE n + 1 on disk while the store
still said n, and the session, restored, would go out again at n, which a calendar that took
the CANCEL ignores.

Test-only: `VCONF_FAULT=<step>` ends the process at that step (`files.fault_point`). Steps here:
`recording` (inside the transaction, before COMMIT), `recorded`, `written` (files written,
state still pending).
"""

from vconf.revisions.changes import plan_revision
from vconf.revisions.records import (
    CONTENT_FIELDS,
    Attendee,
    ChangeKind,
    FieldChange,
    Reset,
    Revision,
    SessionChange,
    Stamp,
    Tombstone,
    content_hash,
    publish_paths,
    session_content,
)
from vconf.revisions.rows import SCHEMA_VERSION
from vconf.revisions.store import (
    LOCK_NAME,
    LOCK_WAIT,
    STORE_NAME,
    Store,
    commit_revision,
    finish_revision,
    issue_revision,
    open_store,
    read_store,
)

__all__ = [
    "CONTENT_FIELDS",
    "LOCK_NAME",
    "LOCK_WAIT",
    "SCHEMA_VERSION",
    "STORE_NAME",
    "Attendee",
    "ChangeKind",
    "FieldChange",
    "Reset",
    "Revision",
    "SessionChange",
    "Stamp",
    "Store",
    "Tombstone",
    "commit_revision",
    "content_hash",
    "finish_revision",
    "issue_revision",
    "open_store",
    "plan_revision",
    "publish_paths",
    "read_store",
    "session_content",
]
