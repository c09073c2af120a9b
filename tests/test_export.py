"""The .ics files: read back with icalendar (and vobject), instants checked three ways."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import zoneinfo
from datetime import datetime, timedelta, timezone
from typing import Any

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import built_in_another_process, timetable_of
from vconf.export import build_ics_files
from vconf.export.vtimezone import build_vtimezone
from vconf.invitations import invitations, invites_skipped
from vconf.revisions import Contents, Stamp, plan_revision
from vconf.timetable import Timetable, build_timetable

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)
UTC = timezone.utc

SUMMIT = """
[event]
id = "summit"
name = "Digital summit"
timezone = "Asia/Jakarta"
organizer = { name = "Summit Secretariat", email = "secretariat@summit.example" }

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

[delegations.EMPTY]
name = "Only the sessions for everyone"
timezone = "Australia/Adelaide"

[people.retno]
name = "Retno Marsudi"
delegation = "ID"
email = "minister@kemlu.example"

[people.son]
name = "Bui Thanh Son"
delegation = "VN"
email = "minister@mofa.example"

[people.mc]
name = "Master of Ceremonies, Secretariat"
email = "mc@summit.example"

[people.idle]
name = "Idle Person"
delegation = "US"

[rooms.main]
name = "Plenary hall"
url = "https://meet.example/summit/main"

[[sessions]]
id = "opening"
title = "Opening session"
kind = "plenary"
start = 2021-11-16T14:00:00
duration = "45m"
room = "main"
delegations = ["*"]
speakers = ["retno"]
moderators = ["mc"]
languages = ["en", "id"]
description = "Keynote address."

[[sessions]]
id = "bilateral"
title = "Indonesia - Viet Nam bilateral"
kind = "bilateral"
start = 2021-11-16T16:00:00
duration = "30m"
speakers = ["retno", "son"]
visibility = "restricted"

[[sessions]]
id = "new-york-briefing"
title = "Briefing written in New York time"
start = 2021-11-16T09:00:00
end = 2021-11-16T10:00:00
timezone = "America/New_York"
delegations = ["US"]

[[sessions]]
id = "offset"
title = "Written with an offset"
start = 2021-11-16T18:00:00+07:00
duration = "1h"
attendees = ["mc", "son"]
"""


def ics_files(
    timetable: Timetable, *, now: datetime = NOW, stamps: dict[str, Stamp] | None = None
) -> dict[str, bytes]:
    """Return a first export's files, with `stamps` in place of its own where given."""
    revision = plan_revision(Contents(), timetable, now=now)
    if stamps:
        changes = (
            dataclasses.replace(change, stamp=stamps.get(change.session_id, change.stamp))
            for change in revision.changes
        )
        revision = dataclasses.replace(revision, changes=tuple(changes))
    return build_ics_files(timetable, revision)


def export(toml_text: str, **options: Any) -> tuple[Timetable, dict[str, bytes]]:
    timetable = timetable_of(toml_text)
    return timetable, ics_files(timetable, **options)


# icalendar's property values are a wide union; the tests read them as Any
Component = Any


def read(data: bytes) -> Component:
    calendar: Component = icalendar.Calendar.from_ical(data)
    for component in calendar.walk():
        assert not component.errors, component.errors
    return calendar


def events_of(data: bytes) -> list[Component]:
    return list(read(data).walk("VEVENT"))


def session_ids(data: bytes) -> list[str]:
    return [str(event["UID"]).split(".", 1)[0] for event in events_of(data)]


def raw_lines(data: bytes) -> list[str]:
    """The unfolded content lines, as written."""
    return data.decode().replace("\r\n ", "").split("\r\n")[:-1]


def offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def by_vtimezone(calendar: Component, tzid: str, wall: datetime) -> datetime:
    """Resolve a wall time through the file's own VTIMEZONE, as RFC 5545 §3.6.5 reads it."""
    (vtimezone,) = [tz for tz in calendar.walk("VTIMEZONE") if str(tz["TZID"]) == tzid]
    observances = sorted(
        (rule.decoded("DTSTART"), rule["TZOFFSETTO"].td) for rule in vtimezone.subcomponents
    )
    assert observances[0][0] <= wall, "a wall time before the VTIMEZONE's first observance"
    offset: timedelta = [offset for start, offset in observances if start <= wall][-1]
    return (wall - offset).replace(tzinfo=UTC)


def instants(calendar: Component, event: Component) -> list[datetime]:
    """DTSTART and DTEND as UTC instants, checked by icalendar, zoneinfo and the VTIMEZONE."""
    found = []
    for name in ("DTSTART", "DTEND"):
        prop = event[name]
        by_icalendar = prop.dt.astimezone(UTC)
        tzid = prop.params.get("TZID")
        if tzid is None:
            assert prop.dt.tzinfo is not None
            assert prop.dt.utcoffset() == timedelta(0)
        else:
            wall = prop.dt.replace(tzinfo=None)
            by_zoneinfo = wall.replace(tzinfo=zoneinfo.ZoneInfo(tzid)).astimezone(UTC)
            assert by_icalendar == by_zoneinfo == by_vtimezone(calendar, tzid, wall)
        found.append(by_icalendar)
    return found


def vobject_instants(data: bytes) -> dict[str, tuple[datetime, datetime]]:
    """DTSTART/DTEND as vobject reads them: through the file's VTIMEZONE, not the IANA name."""
    vobject = pytest.importorskip("vobject")
    import vobject.icalendar as vical

    registry = vical.__dict__.get("__tzidMap")
    if isinstance(registry, dict):  # vobject keeps the VTIMEZONEs it read in a global map
        registry.clear()
        vical.registerTzid("UTC", vical.utc)
    calendar = vobject.readOne(data.decode())
    return {
        event.uid.value: (
            event.dtstart.value.astimezone(UTC),
            event.dtend.value.astimezone(UTC),
        )
        for event in calendar.vevent_list
    }


# ---- which sessions go where --------------------------------------------------------------------


def test_every_declared_delegation_and_person_gets_a_file_even_without_sessions() -> None:
    _, files = export(SUMMIT)
    assert {name for name in files if name.startswith(("delegations/", "people/"))} == {
        "delegations/EMPTY.ics",
        "delegations/ID.ics",
        "delegations/US.ics",
        "delegations/VN.ics",
        "people/idle.ics",
        "people/mc.ics",
        "people/retno.ics",
        "people/son.ics",
    }
    assert session_ids(files["delegations/EMPTY.ics"]) == ["opening"]  # "*": every delegation
    assert events_of(files["people/idle.ics"]) == []


def test_an_empty_calendar_still_holds_a_component_its_own_zone() -> None:
    _, files = export(SUMMIT)
    calendar = read(files["people/idle.ics"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(calendar["X-WR-TIMEZONE"]) == "America/New_York"


def test_restricted_session_appears_only_in_its_own_parties_files() -> None:
    _, files = export(SUMMIT)
    holding = {name for name, data in files.items() if "bilateral" in session_ids(data)}
    assert holding == {
        "delegations/ID.ics",
        "delegations/VN.ics",
        "people/retno.ics",
        "people/son.ics",
        "invites/bilateral.ics",
    }
    (bilateral,) = [e for e in events_of(files["people/son.ics"]) if "bilateral" in e["UID"]]
    assert bilateral["CLASS"] == "PRIVATE"


def test_public_file_holds_every_public_session_in_start_order() -> None:
    _, files = export(SUMMIT)
    assert session_ids(files["summit.ics"]) == ["opening", "offset", "new-york-briefing"]
    assert all(event["CLASS"] == "PUBLIC" for event in events_of(files["summit.ics"]))


def test_delegation_file_holds_star_sessions_and_its_people_sessions() -> None:
    _, files = export(SUMMIT)
    assert session_ids(files["delegations/VN.ics"]) == ["opening", "bilateral", "offset"]
    assert session_ids(files["delegations/US.ics"]) == ["opening", "new-york-briefing"]
    assert session_ids(files["people/mc.ics"]) == ["opening", "offset"]


# ---- instants -----------------------------------------------------------------------------------


def test_every_event_reads_back_at_the_timetable_instants_in_every_file() -> None:
    timetable, files = export(SUMMIT)
    seen = 0
    for data in files.values():
        calendar = read(data)
        for event in calendar.walk("VEVENT"):
            slot = timetable.by_id[str(event["UID"]).split(".", 1)[0]]
            assert instants(calendar, event) == [slot.start_utc, slot.end_utc]
            seen += 1
    assert seen > len(timetable.slots)


def test_times_carry_the_zone_they_were_written_in() -> None:
    _, files = export(SUMMIT)
    lines = raw_lines(files["summit.ics"])
    assert "DTSTART;TZID=Asia/Jakarta:20211116T140000" in lines
    assert "DTSTART;TZID=America/New_York:20211116T090000" in lines
    assert "DTEND;TZID=America/New_York:20211116T100000" in lines
    assert "DTSTART:20211116T110000Z" in lines  # the offset date-time, in UTC


def test_a_file_with_only_utc_times_has_no_vtimezone() -> None:
    _, files = export(SUMMIT)
    invite = read(files["invites/offset.ics"])
    assert list(invite.walk("VTIMEZONE")) == []
    assert "TZID" not in files["invites/offset.ics"].decode()


def test_each_file_has_one_vtimezone_per_tzid_it_uses_sorted() -> None:
    _, files = export(SUMMIT)
    calendar = read(files["summit.ics"])
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "America/New_York",
        "Asia/Jakarta",
    ]
    tzids = set(re.findall(r";TZID=([^:;]+)", files["delegations/VN.ics"].decode()))
    assert tzids == {"Asia/Jakarta"}
    assert str(read(files["delegations/VN.ics"])["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"


def test_vtimezone_observances_start_in_the_local_time_of_the_offset_they_replace() -> None:
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC)
    for tz_name in ("Europe/Berlin", "America/New_York", "Australia/Adelaide", "Pacific/Chatham"):
        zone = zoneinfo.ZoneInfo(tz_name)
        vtimezone = read(
            b"BEGIN:VCALENDAR\r\n" + build_vtimezone(tz_name, start, end) + b"END:VCALENDAR\r\n"
        ).walk("VTIMEZONE")[0]
        first, *changes = vtimezone.subcomponents
        assert first.decoded("DTSTART") == start.astimezone(zone).replace(tzinfo=None)
        assert len(changes) == 6  # two a year, every one of them
        for rule in changes:
            onset = (rule.decoded("DTSTART") - rule["TZOFFSETFROM"].td).replace(tzinfo=UTC)
            assert (onset - timedelta(seconds=1)).astimezone(zone).utcoffset() == rule[
                "TZOFFSETFROM"
            ].td
            assert onset.astimezone(zone).utcoffset() == rule["TZOFFSETTO"].td
            assert rule.name == ("DAYLIGHT" if onset.astimezone(zone).dst() else "STANDARD")


def test_new_york_keeps_daylight_saving_time_after_2037() -> None:
    toml = """
    [event]
    id = "far"
    name = "Far"
    timezone = "America/New_York"
    [[sessions]]
    id = "july-2038"
    title = "Summer 2038"
    start = 2038-07-01T12:00:00
    duration = "1h"
    [[sessions]]
    id = "december-2039"
    title = "Winter 2039"
    start = 2039-12-01T12:00:00
    duration = "1h"
    """
    _, files = export(toml)
    data = files["far.ics"]
    calendar = read(data)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert timedelta(hours=-4) in {rule["TZOFFSETTO"].td for rule in vtimezone.subcomponents}
    july = datetime(2038, 7, 1, 12, 0)
    assert by_vtimezone(calendar, "America/New_York", july) == datetime(
        2038, 7, 1, 16, 0, tzinfo=UTC
    )
    assert vobject_instants(data) == {
        "july-2038.far@vconf.invalid": (
            datetime(2038, 7, 1, 16, 0, tzinfo=UTC),
            datetime(2038, 7, 1, 17, 0, tzinfo=UTC),
        ),
        "december-2039.far@vconf.invalid": (
            datetime(2039, 12, 1, 17, 0, tzinfo=UTC),
            datetime(2039, 12, 1, 18, 0, tzinfo=UTC),
        ),
    }


@pytest.mark.parametrize(
    ("tz_name", "july_wall", "january_wall", "offsets"),
    [
        # (zone, a July wall time, a January wall time, the TZOFFSETTOs its VTIMEZONE must use)
        ("Australia/Adelaide", "2023-07-03T12:00:00", "2023-01-09T12:00:00", {"+0930", "+1030"}),
        ("Asia/Kathmandu", "2023-07-03T12:00:00", "2023-01-09T12:00:00", {"+0545"}),
        ("Australia/Lord_Howe", "2023-07-03T12:00:00", "2023-01-09T12:00:00", {"+1030", "+1100"}),
        ("Pacific/Chatham", "2023-07-03T12:00:00", "2023-01-09T12:00:00", {"+1245", "+1345"}),
    ],
)
def test_odd_offsets_and_half_hour_dst_read_back_exactly(
    tz_name: str, july_wall: str, january_wall: str, offsets: set[str]
) -> None:
    toml = f"""
    [event]
    id = "odd"
    name = "Odd offsets"
    timezone = "{tz_name}"
    [[sessions]]
    id = "july"
    title = "July"
    start = {july_wall}
    duration = "1h"
    [[sessions]]
    id = "january"
    title = "January"
    start = {january_wall}
    duration = "1h"
    """
    timetable, files = export(toml)
    data = files["odd.ics"]
    calendar = read(data)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert {offset_text(rule["TZOFFSETTO"].td) for rule in vtimezone.subcomponents} == offsets
    expected = {
        f"{slot.id}.odd@vconf.invalid": (slot.start_utc, slot.end_utc) for slot in timetable.slots
    }
    assert {
        str(event["UID"]): tuple(instants(calendar, event)) for event in calendar.walk("VEVENT")
    } == expected
    assert vobject_instants(data) == expected


def test_a_time_in_the_second_pass_of_a_fold_is_written_in_utc() -> None:
    toml = """
    [event]
    id = "fold"
    name = "Fold"
    timezone = "America/New_York"
    [[sessions]]
    id = "late"
    title = "Ends in the repeated hour"
    start = 2038-11-07T00:30:00
    duration = "90m"
    """
    timetable, files = export(toml)
    lines = raw_lines(files["fold.ics"])
    assert "DTSTART;TZID=America/New_York:20381107T003000" in lines
    assert "DTEND:20381107T060000Z" in lines  # 01:00 EST, the second 01:00 of the night
    calendar = read(files["fold.ics"])
    (event,) = calendar.walk("VEVENT")
    assert instants(calendar, event) == [timetable.slots[0].start_utc, timetable.slots[0].end_utc]


def test_a_time_in_a_dst_gap_is_written_as_the_instant_it_was_placed_at() -> None:
    toml = """
    [event]
    id = "gap"
    name = "Gap"
    timezone = "Europe/Berlin"
    [[sessions]]
    id = "early"
    title = "Starts at 02:30 on the day clocks skip it"
    start = 2021-03-28T02:30:00
    duration = "1h"
    """
    timetable, files = export(toml)
    assert "DTSTART;TZID=Europe/Berlin:20210328T033000" in raw_lines(files["gap.ics"])
    calendar = read(files["gap.ics"])
    (event,) = calendar.walk("VEVENT")
    assert instants(calendar, event)[0] == timetable.slots[0].start_utc


# ---- properties ---------------------------------------------------------------------------------


def test_every_vevent_has_the_required_properties() -> None:
    _, files = export(SUMMIT)
    (opening,) = [e for e in events_of(files["summit.ics"]) if "opening" in e["UID"]]
    assert str(opening["UID"]) == "opening.summit@summit.example"
    assert opening["DTSTAMP"].to_ical() == b"20240501T093000Z"
    assert opening["SEQUENCE"] == 0
    assert opening["STATUS"] == "CONFIRMED"
    assert opening["SUMMARY"] == "Opening session"
    assert opening["CATEGORIES"].cats == ["plenary"]
    assert opening["LOCATION"] == "Plenary hall"
    assert opening["URL"] == "https://meet.example/summit/main"
    assert str(opening["ORGANIZER"]) == "mailto:secretariat@summit.example"
    assert opening["ORGANIZER"].params["CN"] == "Summit Secretariat"
    conference = opening["CONFERENCE"]
    assert str(conference) == "https://meet.example/summit/main"
    assert dict(conference.params) == {
        "VALUE": "URI",
        "FEATURE": "VIDEO",
        "LABEL": "Plenary hall",
    }


def test_calendar_properties_name_the_file_and_its_zone() -> None:
    _, files = export(SUMMIT)
    calendar = read(files["delegations/VN.ics"])
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//vconf//vconf 0.1//EN"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["NAME"]) == "Digital summit — Viet Nam"
    assert str(calendar["X-WR-CALNAME"]) == "Digital summit — Viet Nam"
    assert str(read(files["people/retno.ics"])["X-WR-TIMEZONE"]) == "Asia/Jakarta"
    assert str(read(files["people/mc.ics"])["X-WR-TIMEZONE"]) == "Asia/Jakarta"  # the event's
    assert str(read(files["summit.ics"])["X-WR-TIMEZONE"]) == "Asia/Jakarta"
    for feed in ("summit.ics", "people/retno.ics"):  # subscribed calendars refresh hourly
        assert read(files[feed])["REFRESH-INTERVAL"].dt == timedelta(hours=1)
        assert read(files[feed])["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
        assert str(read(files[feed])["X-PUBLISHED-TTL"]) == "PT1H"
    assert "REFRESH-INTERVAL" not in read(files["invites/opening.ics"])


def test_description_gives_local_times_people_languages_link_and_notes() -> None:
    _, files = export(SUMMIT)
    (opening,) = [e for e in events_of(files["summit.ics"]) if "opening" in e["UID"]]
    description = str(opening["DESCRIPTION"])
    lines = description.split("\n")
    assert lines[0] == "Keynote address."  # the session's own words first, then who speaks
    assert lines[1] == "Speakers: Retno Marsudi (ID)"
    assert "Moderators: Master of Ceremonies, Secretariat" in description
    assert "Languages: en, id." in description
    assert "meet.example" not in description  # URL and LOCATION say it already
    times = lines[lines.index("Local times (Tue 16 Nov 2021):") + 1 :]
    assert "02:00-02:45 (UTC-05:00): United States (US)" in times
    assert any(line.startswith("14:00-14:45 (UTC+07:00): ") for line in times)
    assert "Viet Nam (VN)" in next(line for line in times if "(UTC+07:00)" in line)
    assert "EST" not in description


def test_stamps_give_sequence_and_dtstamp_per_session() -> None:
    issued = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=7)))
    _, files = export(SUMMIT, stamps={"opening": Stamp(3, issued)})
    events = {str(e["UID"]).split(".")[0]: e for e in events_of(files["summit.ics"])}
    assert events["opening"]["SEQUENCE"] == 3
    assert events["opening"]["DTSTAMP"].to_ical() == b"20240101T200405Z"
    assert events["offset"]["SEQUENCE"] == 0
    assert events["offset"]["DTSTAMP"].to_ical() == b"20240501T093000Z"


def test_a_naive_now_is_refused() -> None:
    timetable = timetable_of(SUMMIT)
    with pytest.raises(ValueError, match="aware"):
        plan_revision(Contents(), timetable, now=datetime(2024, 5, 1))
    revision = dataclasses.replace(
        plan_revision(Contents(), timetable, now=NOW), now=datetime(2024, 5, 1)
    )
    with pytest.raises(ValueError, match="aware"):
        build_ics_files(timetable, revision)


# ---- invites ------------------------------------------------------------------------------------


def test_invite_is_a_request_with_one_attendee_per_address_and_role() -> None:
    _, files = export(SUMMIT)
    calendar = read(files["invites/opening.ics"])
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    attendees = [(str(a), dict(a.params)) for a in event["ATTENDEE"]]
    common = {"PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}
    assert attendees == [
        ("mailto:mc@summit.example", {"CUTYPE": "INDIVIDUAL", "ROLE": "CHAIR", **common,
                                       "CN": "Master of Ceremonies, Secretariat"}),
        ("mailto:minister@kemlu.example", {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT",
                                            **common, "CN": "Retno Marsudi"}),
        ("mailto:protocol@kemlu.example", {"CUTYPE": "GROUP", "ROLE": "OPT-PARTICIPANT",
                                            **common, "CN": "Indonesia"}),
        ("mailto:protocol@mofa.example", {"CUTYPE": "GROUP", "ROLE": "OPT-PARTICIPANT",
                                           **common, "CN": "Viet Nam"}),
    ]  # fmt: skip
    assert str(event["ORGANIZER"]) == "mailto:secretariat@summit.example"


def test_an_address_invited_twice_keeps_its_strongest_role() -> None:
    toml = """
    [event]
    id = "dup"
    name = "Duplicates"
    timezone = "UTC"
    [delegations.XX]
    name = "Xland"
    timezone = "UTC"
    email = "Same@x.example"
    [people.a]
    name = "A"
    delegation = "XX"
    email = "same@x.example"
    [[sessions]]
    id = "s"
    title = "S"
    start = 2030-01-01T10:00:00
    duration = "1h"
    attendees = ["a"]
    moderators = ["a"]
    """
    _, files = export(toml)
    (event,) = events_of(files["invites/s.ics"])
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list)
    assert (str(attendee), attendee.params["ROLE"], attendee.params["CUTYPE"]) == (
        "mailto:same@x.example",
        "CHAIR",
        "INDIVIDUAL",
    )


def test_a_session_without_any_email_gets_no_invite_and_is_reported() -> None:
    toml = """
    [event]
    id = "quiet"
    name = "Quiet"
    timezone = "UTC"
    [people.a]
    name = "A"
    [[sessions]]
    id = "s"
    title = "S"
    start = 2030-01-01T10:00:00
    duration = "1h"
    speakers = ["a"]
    """
    timetable, files = export(toml)
    assert "invites/s.ics" not in files
    assert invites_skipped(timetable) == ("s",)
    assert invites_skipped(timetable_of(SUMMIT)) == ("new-york-briefing",)
    assert set(invitations(timetable_of(SUMMIT))) == {
        path.removeprefix("invites/").removesuffix(".ics")
        for path in export(SUMMIT)[1]
        if path.startswith("invites/")
    }


def test_without_an_organizer_email_the_organizer_is_noreply_at_the_uid_domain() -> None:
    _, files = export(SUMMIT.replace(
        'organizer = { name = "Summit Secretariat", email = "secretariat@summit.example" }',
        'uid_domain = "summit.example"',
    ))  # fmt: skip
    (event,) = events_of(files["invites/opening.ics"])
    assert str(event["ORGANIZER"]) == "mailto:noreply@summit.example"
    assert event["ORGANIZER"].params["CN"] == "Digital summit"


# ---- bytes --------------------------------------------------------------------------------------


HOSTILE = "\r\nBEGIN:VEVENT;x,y:z\\"


def test_hostile_text_never_starts_a_property_or_component() -> None:
    timetable = timetable_of(SUMMIT)
    conference = timetable.conference
    session = dataclasses.replace(
        conference.sessions[0], title=f"Title{HOSTILE}", description=f"Notes{HOSTILE}\x00end"
    )
    room = dataclasses.replace(conference.rooms[0], name=f'Hall "A"; B, C: D{HOSTILE}^')
    person = dataclasses.replace(conference.people[0], name=f"Retno; M, {HOSTILE}")
    conference = dataclasses.replace(
        conference,
        sessions=(session, *conference.sessions[1:]),
        rooms=(room,),
        people=(person, *conference.people[1:]),
    )
    files = ics_files(build_timetable(conference))
    for name in ("summit.ics", "invites/opening.ics"):
        calendar = read(files[name])
        opening = [e for e in calendar.walk("VEVENT") if "opening" in e["UID"]]
        assert len(opening) == 1
        assert len(calendar.walk("VEVENT")) == raw_lines(files[name]).count("BEGIN:VEVENT")
        assert opening[0]["SUMMARY"] == "Title\nBEGIN:VEVENT;x,y:z\\"
        assert opening[0]["LOCATION"] == 'Hall "A"; B, C: D\nBEGIN:VEVENT;x,y:z\\^'
        assert str(opening[0]["DESCRIPTION"]).startswith("Notes\nBEGIN:VEVENT;x,y:z\\end\n")
        assert opening[0]["CONFERENCE"].params["LABEL"] == 'Hall "A"; B, C: D BEGIN:VEVENT;x,y:z\\^'
    (opening,) = events_of(files["invites/opening.ics"])
    names = [a.params["CN"] for a in opening["ATTENDEE"]]
    assert "Retno; M,  BEGIN:VEVENT;x,y:z\\" in names
    for data in files.values():
        assert all(not line.startswith("BEGIN:VEVENT;") for line in data.decode().split("\r\n"))


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\r\x85\u2028\u2029"),
        min_size=1,
        max_size=300,
    )
)
def test_any_title_round_trips_through_a_parser(title: str) -> None:
    timetable = timetable_of(SUMMIT)
    conference = timetable.conference
    session = dataclasses.replace(conference.sessions[2], title=title)
    conference = dataclasses.replace(conference, sessions=(*conference.sessions[:2], session))
    data = ics_files(build_timetable(conference))["delegations/US.ics"]
    events = [e for e in events_of(data) if "new-york-briefing" in e["UID"]]
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    assert [str(e["SUMMARY"]) for e in events] == [control.sub("", title)]
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_every_line_ends_in_crlf_and_is_at_most_75_octets() -> None:
    long_name = "Délégation " + "é" * 60 + " \\\\" * 40  # TOML: each "\\\\" is one "\\"
    _, files = export(SUMMIT.replace('name = "Viet Nam"', f'name = "{long_name}"'))
    for data in files.values():
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b"")
        assert b"\r" not in data.replace(b"\r\n", b"")
        lines = data.split(b"\r\n")
        for line, following in itertools.pairwise(lines):
            assert len(line) <= 75
            line.decode()  # a fold never splits a UTF-8 character
            if following.startswith(b" "):  # nor an escape from the character it escapes
                assert (len(line) - len(line.rstrip(b"\\"))) % 2 == 0


def test_same_input_and_now_give_byte_identical_files_in_another_process() -> None:
    _, first = export(SUMMIT)
    second = built_in_another_process(functools.partial(ics_files, now=NOW), SUMMIT)
    assert first == second
    assert list(first) == list(second)


def test_uids_stay_the_same_whatever_the_file_order() -> None:
    head, *sessions = SUMMIT.split("[[sessions]]")
    reordered = head + "".join("[[sessions]]" + s for s in reversed(sessions))
    _, files = export(SUMMIT)
    _, again = export(reordered)
    assert files == again
    uids = {str(e["UID"]) for data in files.values() for e in events_of(data)}
    assert uids == {
        f"{session}.summit@summit.example"
        for session in ("opening", "bilateral", "new-york-briefing", "offset")
    }
