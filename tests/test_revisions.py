"""Revisions (SPEC §6): what a re-export issues after each kind of change, read back as a
calendar client would, and the store's refusals. CLI-level runs are in test_cli_revisions.py.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import icalendar
import pytest

from conftest import timetable_of
from vconf.errors import VconfError
from vconf.export import build_ics_files
from vconf.render.changes import change_text, changes_as_json
from vconf.revisions import (
    CONTENT_FIELDS,
    ChangeKind,
    Contents,
    Revision,
    Status,
    Store,
    content_hash,
    open_store,
    plan_revision,
    publish_paths,
    read_store,
    session_content,
)
from vconf.revisions import issue_revision as issue
from vconf.timetable import Timetable

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
UID = "{}.summit@summit.example"

SUMMIT = """
[event]
id = "summit"
name = "Digital summit"
timezone = "Asia/Jakarta"
organizer = { name = "Secretariat", email = "secretariat@summit.example" }
uid_domain = "summit.example"

[delegations.ID]
name = "Indonesia"
timezone = "Asia/Jakarta"
email = "protocol@kemlu.example"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"
email = "protocol@mofa.example"

[delegations.US]
name = "United States"
timezone = "America/New_York"

[people.retno]
name = "Retno Marsudi"
delegation = "ID"
email = "minister@kemlu.example"

[people.son]
name = "Bui Thanh Son"
delegation = "VN"
email = "minister@mofa.example"

[people.lan]
name = "Nguyen Thi Lan"
delegation = "VN"
email = "lan@mofa.example"

[rooms.main]
name = "Plenary hall"
url = "https://meet.example/main"

[rooms.breakout-a]
name = "Breakout A"

[rooms.breakout-b]
name = "Breakout B"

[[sessions]]
id = "opening"
title = "Opening session"
start = 2021-11-16T14:00:00
duration = "45m"
room = "main"
delegations = ["*"]
speakers = ["retno"]

[[sessions]]
id = "panel-2"
title = "Digital innovation for the SMEs"
start = 2021-11-16T15:15:00
duration = "1h"
room = "breakout-a"
speakers = ["son", "lan"]
moderators = ["retno"]

[[sessions]]
id = "bilateral"
title = "Bilateral meeting: Indonesia - Viet Nam"
start = 2021-11-16T17:00:00
duration = "30m"
delegations = ["ID", "VN"]
visibility = "restricted"
"""

PANEL_2 = """[[sessions]]
id = "panel-2"
title = "Digital innovation for the SMEs"
start = 2021-11-16T15:15:00
duration = "1h"
room = "breakout-a"
speakers = ["son", "lan"]
moderators = ["retno"]
"""


def plan(store: Store, timetable: Timetable, now: datetime) -> Revision:
    """Plan against a store's snapshot as the cli does, with how the store was found."""
    return plan_revision(
        store.contents,
        timetable,
        now=now,
        directory=store.directory,
        reset=store.reset,
        interrupted=store.removed_temporary_files > 0,
    )


def export(directory: Path, text: str, now: datetime) -> tuple[Revision, dict[str, bytes]]:
    """One export as the cli runs it: lock, plan, build, record, write."""
    timetable = timetable_of(text)
    with open_store(directory) as store:
        revision = plan(store, timetable, now)
        files = build_ics_files(timetable, revision)
        issue(store, revision, files)
    return revision, files


def events(data: bytes) -> dict[str, Any]:
    """Return a file's VEVENTs by session id."""
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]).split(".")[0]: e for e in calendar.walk("VEVENT")}


def method(data: bytes) -> str:
    return str(icalendar.Calendar.from_ical(data)["METHOD"])


def kinds(revision: Revision) -> dict[str, str]:
    return {change.session_id: change.kind.value for change in revision.changes}


def change_lines(revision: Revision, text: str) -> list[str]:
    timetable = timetable_of(text)
    return [
        change_text(change, timetable)
        for change in revision.changes
        if change.kind is not ChangeKind.UNCHANGED
    ]


class Client:
    """A calendar client's model keyed by UID, updated the way RFC 5546 §2.1.5 orders
    revisions: a higher SEQUENCE wins, then a later DTSTAMP; STATUS:CANCELLED removes."""

    def __init__(self) -> None:
        self.held: dict[str, Any] = {}
        self.seen: dict[str, tuple[int, datetime]] = {}

    def take(self, data: bytes) -> None:
        for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
            uid = str(event["UID"])
            order = (int(event["SEQUENCE"]), event["DTSTAMP"].dt)
            if uid in self.seen and order < self.seen[uid]:
                continue  # an older revision than the one held
            self.seen[uid] = order
            if str(event.get("STATUS")) == "CANCELLED":
                self.held.pop(uid, None)
            else:
                self.held[uid] = event

    def starts(self) -> dict[str, datetime]:
        return {uid.split(".")[0]: event.start for uid, event in self.held.items()}


# ---- issuing -----------------------------------------------------------------------------------


def test_a_first_export_issues_every_session_new_at_sequence_0(tmp_path: Path) -> None:
    revision, files = export(tmp_path / "out", SUMMIT, T0)
    assert revision.is_first_export
    assert kinds(revision) == {"opening": "new", "panel-2": "new", "bilateral": "new"}
    for event in events(files["summit.ics"]).values():
        assert (event["SEQUENCE"], event["DTSTAMP"].dt) == (0, T0)
    assert (tmp_path / "out" / ".vconf" / "state.sqlite").is_file()


def test_an_unchanged_plan_keeps_every_stamp_and_the_same_bytes(tmp_path: Path) -> None:
    _, first = export(tmp_path / "out", SUMMIT, T0)
    revision, second = export(tmp_path / "out", SUMMIT, T0 + timedelta(days=3))
    assert set(kinds(revision).values()) == {"unchanged"}
    assert second == first


def test_a_moved_session_alone_gets_sequence_plus_one_and_a_new_dtstamp(tmp_path: Path) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    moved = SUMMIT.replace("2021-11-16T15:15:00", "2021-11-16T15:45:00")
    later = T0 + timedelta(hours=5)
    revision, files = export(tmp_path / "out", moved, later)
    assert kinds(revision)["panel-2"] == "changed"
    assert [field.name for field in revision.changes[0].fields] == ["start", "end"]
    held = events(files["people/son.ics"])
    assert (held["panel-2"]["SEQUENCE"], held["panel-2"]["DTSTAMP"].dt) == (1, later)
    opening = events(files["summit.ics"])["opening"]
    assert (opening["SEQUENCE"], opening["DTSTAMP"].dt) == (0, T0)


def test_the_change_list_says_what_moved_in_the_event_zone(tmp_path: Path) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    edited = SUMMIT.replace("2021-11-16T15:15:00", "2021-11-16T15:45:00").replace(
        'room = "breakout-a"', 'room = "breakout-b"'
    )
    revision, _ = export(tmp_path / "out", edited, T0 + timedelta(hours=1))
    assert change_lines(revision, edited) == [
        "panel-2: 15:15 → 15:45 WIB, room breakout-a → breakout-b · Digital innovation for the "
        "SMEs, Tue 16 Nov 2021"
    ]


def test_the_change_list_never_says_cst_for_china(tmp_path: Path) -> None:
    """CST is US Central too: an event in Beijing time is shown by its offset."""
    beijing = SUMMIT.replace(
        'timezone = "Asia/Jakarta"\norganizer', 'timezone = "Asia/Shanghai"\norganizer'
    )
    export(tmp_path / "out", beijing, T0)
    moved = beijing.replace("2021-11-16T15:15:00", "2021-11-16T15:45:00")
    revision, _ = export(tmp_path / "out", moved, T0 + timedelta(hours=1))
    [line] = change_lines(revision, moved)
    assert line.startswith("panel-2: 15:15 → 15:45 UTC+08:00 · ")


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('"Digital innovation for the SMEs"', '"SMEs online"', 'title "Digital innovation'),
        ('duration = "1h"\nroom', 'duration = "90m"\nroom', "15:15-16:15 → 15:15-16:45 WIB"),
        ('speakers = ["son", "lan"]', 'speakers = ["son"]', "people -lan"),
        ('moderators = ["retno"]', 'moderators = ["son"]', "son speaker → moderator/speaker"),
        ("moderators = [", 'delegations = ["US"]\nmoderators = [', "delegations +US"),
        ('title = "Digital', 'description = "Bring slides"\ntitle = "Digital', "description"),
        ("moderators = [", 'visibility = "restricted"\nmoderators = [', "visibility public"),
        ("moderators = [", 'kind = "panel"\nmoderators = [', "kind other → panel"),
        ("moderators = [", 'languages = ["en"]\nmoderators = [', "languages none → en"),
        ("15:15:00", "15:15:00+07:00", "time zone Asia/Jakarta → UTC"),
        ('name = "Breakout A"', 'name = "Breakout A (new link)"', "the room's name or link"),
        ('name = "Nguyen Thi Lan"', 'name = "Lan Nguyen"', "names or addresses of its people"),
    ],
)
def test_each_content_field_counts_as_a_change_and_is_named(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    if old in PANEL_2:
        edited = SUMMIT.replace(PANEL_2, PANEL_2.replace(old, new))
    else:  # a room's or person's own table
        edited = SUMMIT.replace(old, new)
    revision, _ = export(tmp_path / "out", edited, T0 + timedelta(hours=1))
    assert kinds(revision)["panel-2"] == "changed"
    [line] = [line for line in change_lines(revision, edited) if line.startswith("panel-2")]
    assert words in line


def test_what_no_vevent_shows_is_not_a_change(tmp_path: Path) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    edited = SUMMIT.replace('name = "United States"', 'name = "USA"') + "\n# a comment\n"
    revision, _ = export(tmp_path / "out", edited, T0 + timedelta(hours=1))
    assert kinds(revision)["panel-2"] == "unchanged"  # US is not on panel-2
    assert kinds(revision)["opening"] == "changed"  # but on the opening, for everyone


def test_content_is_every_spec_field_and_its_hash_is_canonical_json() -> None:
    slot = timetable_of(SUMMIT).by_id["panel-2"]
    content = session_content(slot, timetable_of(SUMMIT))
    assert tuple(content) == CONTENT_FIELDS
    assert content["start"] == "2021-11-16T08:15:00Z"
    assert content["people"] == "moderator:retno speaker:son speaker:lan"
    assert content_hash(content) == content_hash(dict(reversed(content.items())))


def test_publish_paths_are_the_files_export_puts_the_session_in() -> None:
    timetable = timetable_of(SUMMIT)
    files = build_ics_files(timetable, plan_revision(Contents(), timetable, now=T0))
    for slot in timetable.slots:
        uid = UID.format(slot.id)
        holding = {
            path
            for path, data in files.items()
            if not path.startswith("invites/") and uid.encode() in data.replace(b"\r\n ", b"")
        }
        assert holding == set(publish_paths(slot, timetable)), slot.id


# ---- cancelling --------------------------------------------------------------------------------


def dropped(text: str, session: str) -> str:
    start = text.index(f'[[sessions]]\nid = "{session}"')
    end = text.find("[[sessions]]", start + 1)
    return text[:start] + (text[end:] if end != -1 else "")


def test_a_dropped_session_is_cancelled_in_every_file_that_held_it(tmp_path: Path) -> None:
    _, before = export(tmp_path / "out", SUMMIT, T0)
    later = T0 + timedelta(days=1)
    revision, files = export(tmp_path / "out", dropped(SUMMIT, "panel-2"), later)
    assert kinds(revision)["panel-2"] == "cancelled"
    invite = files["invites/panel-2.ics"]
    assert method(invite) == "CANCEL"
    [cancel] = events(invite).values()
    assert (cancel["STATUS"], cancel["SEQUENCE"], cancel["DTSTAMP"].dt) == ("CANCELLED", 1, later)
    attendees = sorted(str(address) for address in cancel["ATTENDEE"])
    assert attendees == [
        "mailto:lan@mofa.example",
        "mailto:minister@kemlu.example",
        "mailto:minister@mofa.example",
        "mailto:protocol@kemlu.example",
        "mailto:protocol@mofa.example",
    ]
    for path in ("summit.ics", "delegations/VN.ics", "people/son.ics", "people/retno.ics"):
        assert "panel-2" in events(before[path])
        event = events(files[path])["panel-2"]
        assert (method(files[path]), event["STATUS"], event["SEQUENCE"]) == (
            "PUBLISH",
            "CANCELLED",
            1,
        )
    assert "panel-2" not in events(files["delegations/US.ics"])  # it never held it


def test_cancelled_copies_stay_the_same_in_later_exports(tmp_path: Path) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    _, first = export(tmp_path / "out", dropped(SUMMIT, "panel-2"), T0 + timedelta(days=1))
    revision, again = export(tmp_path / "out", dropped(SUMMIT, "panel-2"), T0 + timedelta(days=2))
    assert "panel-2" not in kinds(revision)
    assert again == first


def test_a_restored_session_goes_out_above_its_cancel(tmp_path: Path) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    export(tmp_path / "out", dropped(SUMMIT, "panel-2"), T0 + timedelta(days=1))
    revision, files = export(tmp_path / "out", SUMMIT, T0 + timedelta(days=2))
    assert kinds(revision)["panel-2"] == "restored"
    assert method(files["invites/panel-2.ics"]) == "REQUEST"
    for path in ("summit.ics", "people/son.ics", "invites/panel-2.ics"):
        event = events(files[path])["panel-2"]
        assert (event["STATUS"], event["SEQUENCE"]) == ("CONFIRMED", 2)


def test_a_person_taken_off_a_session_sees_it_cancelled_only_in_their_file(
    tmp_path: Path,
) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    edited = SUMMIT.replace('speakers = ["son", "lan"]', 'speakers = ["son"]')
    revision, files = export(tmp_path / "out", edited, T0 + timedelta(days=1))
    assert change_lines(revision, edited) == [
        "panel-2: people -lan · Digital innovation for the SMEs, Tue 16 Nov 2021"
    ]
    lan = events(files["people/lan.ics"])["panel-2"]
    assert (lan["STATUS"], lan["SEQUENCE"]) == ("CANCELLED", 1)
    invite = files["invites/panel-2.ics"]
    assert method(invite) == "REQUEST"
    [request] = events(invite).values()
    assert "mailto:lan@mofa.example" not in [str(address) for address in request["ATTENDEE"]]
    son = events(files["people/son.ics"])["panel-2"]
    assert (son["STATUS"], son["SEQUENCE"]) == ("CONFIRMED", 1)
    # VN still takes part (through son), so its file keeps the session confirmed
    assert events(files["delegations/VN.ics"])["panel-2"]["STATUS"] == "CONFIRMED"


def test_a_session_made_restricted_leaves_the_public_file_without_its_new_title(
    tmp_path: Path,
) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    edited = SUMMIT.replace(
        PANEL_2,
        PANEL_2.replace('title = "Digital innovation for the SMEs"', 'title = "Secret agenda"')
        + 'visibility = "restricted"\n',
    )
    _, files = export(tmp_path / "out", edited, T0 + timedelta(days=1))
    public = events(files["summit.ics"])["panel-2"]
    assert (public["STATUS"], public["SUMMARY"]) == ("CANCELLED", "Digital innovation for the SMEs")
    assert b"Secret agenda" not in files["summit.ics"]
    assert events(files["people/son.ics"])["panel-2"]["SUMMARY"] == "Secret agenda"


def test_a_person_removed_from_the_file_gets_a_calendar_of_cancelled_copies(
    tmp_path: Path,
) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    edited = SUMMIT.replace('speakers = ["son", "lan"]', 'speakers = ["son"]').replace(
        '[people.lan]\nname = "Nguyen Thi Lan"\ndelegation = "VN"\nemail = "lan@mofa.example"\n', ""
    )
    _, files = export(tmp_path / "out", edited, T0 + timedelta(days=1))
    calendar = icalendar.Calendar.from_ical(files["people/lan.ics"])
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]


# ---- calendar truth ----------------------------------------------------------------------------


def test_a_client_importing_each_export_holds_the_new_time_once_and_nothing_cancelled(
    tmp_path: Path,
) -> None:
    _, first = export(tmp_path / "out", SUMMIT, T0)
    edited = dropped(SUMMIT, "bilateral").replace("2021-11-16T15:15:00", "2021-11-16T15:45:00")
    _, second = export(tmp_path / "out", edited, T0 + timedelta(days=1))
    for path in ("summit.ics", "delegations/VN.ics", "people/son.ics"):
        client = Client()
        client.take(first[path])
        client.take(second[path])
        starts = client.starts()
        assert starts["panel-2"] == datetime(2021, 11, 16, 8, 45, tzinfo=timezone.utc), path
        assert list(starts).count("panel-2") == 1
        assert "bilateral" not in starts, path
        assert len(client.held) == len(events(second[path])) - (path == "delegations/VN.ics")


def test_an_older_file_imported_late_changes_nothing(tmp_path: Path) -> None:
    _, first = export(tmp_path / "out", SUMMIT, T0)
    _, second = export(tmp_path / "out", dropped(SUMMIT, "panel-2"), T0 + timedelta(days=1))
    client = Client()
    client.take(second["invites/panel-2.ics"])
    client.take(first["invites/panel-2.ics"])  # the REQUEST at SEQUENCE 0 is older
    assert client.held == {}


# ---- the store ---------------------------------------------------------------------------------


def test_planning_is_pure_and_a_dry_run_store_creates_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with read_store(out) as store:
        revision = plan(store, timetable_of(SUMMIT), T0)
    assert revision.is_first_export
    assert not out.exists()
    export(out, SUMMIT, T0)
    with read_store(out) as store:
        plan(store, timetable_of(dropped(SUMMIT, "opening")), T0)
        plan(store, timetable_of(dropped(SUMMIT, "opening")), T0)
        assert store.contents.records["opening"].status is Status.ACTIVE


def test_another_event_id_is_a_new_calendar_refused_until_reset(tmp_path: Path) -> None:
    export(tmp_path / "out", SUMMIT, T0)
    renamed = SUMMIT.replace('id = "summit"', 'id = "summit-2"')
    with open_store(tmp_path / "out") as store, pytest.raises(VconfError) as caught:
        plan(store, timetable_of(renamed), T0)
    message = str(caught.value)
    assert "new calendar" in message
    assert "--reset-state" in message
    with open_store(tmp_path / "out", reset=True) as store:
        revision = plan(store, timetable_of(renamed), T0)
    assert revision.reset is not None
    assert revision.reset.calendar == ("summit", "summit.example")
    assert set(kinds(revision).values()) == {"new"}


def test_a_reset_keeps_a_backup_and_issues_above_the_files_on_disk(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(out, SUMMIT, T0)
    export(out, SUMMIT.replace("15:15:00", "15:30:00"), T0 + timedelta(days=1))
    (out / ".vconf" / "state.sqlite").write_bytes(b"garbage")
    with pytest.raises(VconfError, match="--reset-state"):
        open_store(out)
    with open_store(out, reset=True) as store:
        revision = plan(store, timetable_of(SUMMIT), T0 + timedelta(days=2))
    assert revision.reset is not None
    assert (out / ".vconf" / revision.reset.backup).read_bytes() == b"garbage"
    sequences = {change.session_id: change.stamp.sequence for change in revision.changes}
    assert sequences == {"opening": 1, "panel-2": 2, "bilateral": 1}  # above 0, 1, 0 on disk


def test_a_path_in_the_store_that_could_leave_dir_is_damage(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(out, SUMMIT, T0)
    with sqlite3.connect(out / ".vconf" / "state.sqlite") as connection:
        connection.execute("UPDATE sessions SET paths = '[\"../escape.ics\"]'")
    connection.close()
    with pytest.raises(VconfError, match=r"damaged .*--reset-state"):
        open_store(out)


def test_the_json_change_list_gives_fields_and_sequences(tmp_path: Path) -> None:
    import json

    export(tmp_path / "out", SUMMIT, T0)
    edited = dropped(SUMMIT, "bilateral").replace("15:15:00", "15:45:00")
    revision, _ = export(tmp_path / "out", edited, T0 + timedelta(days=1))
    document = json.loads(changes_as_json(revision, timetable_of(edited), directory="out"))
    assert document["unchanged"] == 1
    assert [entry["id"] for entry in document["cancelled"]] == ["bilateral"]
    [changed] = document["changed"]
    assert (changed["id"], changed["sequence"], changed["summary"]) == (
        "panel-2",
        1,
        "15:15 → 15:45 WIB",
    )
    assert changed["fields"][0] == {
        "field": "start",
        "before": "2021-11-16T08:15:00Z",
        "after": "2021-11-16T08:45:00Z",
    }


def test_a_store_is_never_followed_through_a_link(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(out, SUMMIT, T0)
    elsewhere = tmp_path / "elsewhere.sqlite"
    os.replace(out / ".vconf" / "state.sqlite", elsewhere)
    (out / ".vconf" / "state.sqlite").symlink_to(elsewhere)
    with pytest.raises(VconfError, match="symbolic link"):
        open_store(out)
