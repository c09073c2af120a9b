"""What was issued into an output directory, and what changed since (SPEC §6).

The store, its tables, the content of a session and the order of a run: docs/revisions.md.
"""

from vconf.revisions.changes import plan_revision
from vconf.revisions.records import (
    CONTENT_FIELDS,
    ChangeKind,
    FieldChange,
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
from vconf.revisions.rows import SCHEMA_VERSION, Contents
from vconf.revisions.store import (
    LOCK_WAIT,
    Store,
    commit_revision,
    finish_revision,
    issue_revision,
    open_store,
    read_store,
)

__all__ = [
    "CONTENT_FIELDS",
    "LOCK_WAIT",
    "SCHEMA_VERSION",
    "ChangeKind",
    "Contents",
    "FieldChange",
    "Reset",
    "Revision",
    "SessionChange",
    "Stamp",
    "Status",
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
