"""The store's mail tables (SPEC §9): schema 2, migrated from the schema 1 today's release writes,
every issued invitation version recorded with its exact bytes and recipients' zones.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from vconf.cli import cli
from vconf.revisions import SCHEMA_VERSION, open_store
from vconf.revisions.messages import (
    MAIL_SCHEMA_VERSION,
    MessageRow,
    read_messages,
    read_versions,
    set_message,
)
from vconf.revisions.rows import SCHEMA

ROOT = Path(__file__).parent.parent
DANANG = ROOT / "examples" / "danang-partners-2023.toml"
MAIL_TABLES = ("invitation", "invitation_recipient", "message")


def export(out: Path, source: Path = DANANG, hour: int = 0) -> None:
    result = CliRunner().invoke(
        cli,
        ["export", str(source), "-o", str(out)],
        env={"SOURCE_DATE_EPOCH": str(1_700_000_000 + 3600 * hour)},
    )
    assert result.exit_code == 0, (result.output, result.exception)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}


def as_schema_1(path: Path) -> None:
    """Turn a store into what today's release (schema 1) writes: its four tables, version 1."""
    with sqlite3.connect(path) as connection:
        for table in reversed(MAIL_TABLES):
            connection.execute(f"DROP TABLE {table}")
        connection.execute("PRAGMA user_version = 1")
    schema_1 = {line.split()[5] for line in SCHEMA.splitlines() if line.startswith("CREATE")}
    assert tables(path) == schema_1 == {"calendar", "sessions", "tombstones", "floors"}


def test_an_export_records_every_invitation_version_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(out)
    with open_store(out) as store:
        assert store.connection is not None
        versions = read_versions(store.connection)
    invites = sorted((out / "invites").glob("*.ics"))
    assert [version.session_id for version in sorted(versions, key=lambda v: v.session_id)] == [
        path.stem for path in invites
    ]
    for version in versions:
        assert version.ics == (out / "invites" / f"{version.session_id}.ics").read_bytes()
        assert version.method == "REQUEST"
        assert version.sequence == 0
        assert version.recipients
        assert all(person.tz_name for person in version.recipients)
    zones = {person.tz_name for version in versions for person in version.recipients}
    assert len(zones) > 1  # the delegations' own zones, not the event's for everyone


def test_a_store_written_by_today_release_is_migrated_and_keeps_its_history(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    export(out)
    path = out / ".vconf" / "state.sqlite"
    as_schema_1(path)
    with sqlite3.connect(path) as connection:
        sessions_before = connection.execute("SELECT * FROM sessions ORDER BY id").fetchall()
    with open_store(out) as store:  # opening migrates
        assert store.contents.records  # the schema 1 history reads back
        assert store.connection is not None
        assert read_versions(store.connection) == ()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == MAIL_SCHEMA_VERSION
        assert connection.execute("SELECT * FROM sessions ORDER BY id").fetchall() == (
            sessions_before
        )
    assert set(MAIL_TABLES) <= tables(path)
    assert SCHEMA_VERSION == MAIL_SCHEMA_VERSION
    export(out, hour=1)  # nothing changed: the versions are recorded on the next export
    with open_store(out) as store:
        assert store.connection is not None
        assert len(read_versions(store.connection)) == len(list((out / "invites").glob("*.ics")))


def test_a_message_state_is_committed_when_recorded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(out)
    with open_store(out) as store:
        assert store.connection is not None
        version = read_versions(store.connection)[0]
        row = MessageRow(version.uid, 0, "A@x.example", "A", "REQUEST", "unknown", "<1@x>")
        set_message(store.connection, row, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    with sqlite3.connect(out / ".vconf" / "state.sqlite") as connection:  # another reader sees it
        assert connection.execute("SELECT recipient, state FROM message").fetchall() == [
            ("a@x.example", "unknown")
        ]
    with open_store(out) as store:
        assert store.connection is not None
        assert [item.state for item in read_messages(store.connection)] == ["unknown"]
