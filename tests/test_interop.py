"""Every exported .ics reads the same in every parser: icalendar, ical, vobject and our own.

Issue 5 (calendar interop). Each VEVENT of each file exported from every example, and from a few
edge-zone events written below, must get the UTC start and end of its timetable slot from five
independent readings:

- `icalendar` and `ical` resolve the TZID by name through the IANA database, as Google does;
- `vobject` reads the VTIMEZONE in the file, as Outlook does (it compares wall times with each
  observance's DTSTART, so it checks the offsets and the years a VTIMEZONE covers);
- `vtimezone`, a small reader in this file, also reads only the file's VTIMEZONE, but the way
  RFC 5545 §3.6.5 and libical do: each observance starts at the instant DTSTART - TZOFFSETFROM,
  so it also catches an observance dated in the wrong offset, which vobject lets through;
- `zoneinfo` resolves the TZID by name with the standard library, independently of pytz.

None of these parsers is imported by vconf; ical and vobject are skipped when not installed.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vconf.export import build_ics_files
from vconf.files import closed_block_uid
from vconf.load import conference_from_text, read_conference
from vconf.revisions import Contents, plan_revision
from vconf.timetable import Timetable, build_timetable

UTC = timezone.utc
NOW = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
EXAMPLES = {path.stem: path for path in (Path(__file__).parent.parent / "examples").glob("*.toml")}

# (zone, the last wall time before its clocks change, the first wall time after): the walls in
# between are skipped (clocks go forward) or happen twice (back), so no session is written there
CLOCK_CHANGES = (
    ("Australia/Adelaide", "2023-04-02T01:59", "2023-04-02T03:00"),  # +10:30 to +09:30
    ("Australia/Adelaide", "2023-10-01T01:59", "2023-10-01T03:00"),  # +09:30 to +10:30
    ("Australia/Sydney", "2023-04-02T01:59", "2023-04-02T03:00"),  # +11 to +10
    ("Australia/Sydney", "2023-10-01T01:59", "2023-10-01T03:00"),  # +10 to +11
    ("Australia/Lord_Howe", "2023-04-02T01:29", "2023-04-02T02:00"),  # +11 to +10:30
    ("Australia/Lord_Howe", "2023-10-01T01:59", "2023-10-01T02:30"),  # +10:30 to +11
    ("Pacific/Chatham", "2023-04-02T02:44", "2023-04-02T03:45"),  # +13:45 to +12:45
    ("Pacific/Chatham", "2023-09-24T02:44", "2023-09-24T03:45"),  # +12:45 to +13:45
    ("America/Santiago", "2023-04-01T22:59", "2023-04-02T00:00"),  # -03 to -04 at midnight
    ("America/Santiago", "2023-09-02T23:59", "2023-09-03T01:00"),  # -04 to -03: no midnight
    ("Europe/Dublin", "2023-03-26T00:59", "2023-03-26T02:00"),  # tzdata: negative DST in winter
    ("Europe/Dublin", "2023-10-29T00:59", "2023-10-29T02:00"),
)
FAR_CLOCK_CHANGES = (  # after 2037, where a 32-bit table of transitions ends
    ("America/New_York", "2038-03-14T01:59", "2038-03-14T03:00"),
    ("America/New_York", "2038-11-07T00:59", "2038-11-07T02:00"),
    ("America/New_York", "2039-03-13T01:59", "2039-03-13T03:00"),
    ("America/New_York", "2039-11-06T00:59", "2039-11-06T02:00"),
    ("Europe/Berlin", "2038-03-28T01:59", "2038-03-28T03:00"),
    ("Europe/Berlin", "2038-10-31T01:59", "2038-10-31T03:00"),
    ("Europe/Berlin", "2039-03-27T01:59", "2039-03-27T03:00"),
    ("Europe/Berlin", "2039-10-30T01:59", "2039-10-30T03:00"),
)

EDGE_ZONES = """
[event]
id = "edge-zones"
name = "Edge zones"
timezone = "Australia/Brisbane"      # +10:00 all year, next to Sydney's DST
organizer = { name = "Secretariat", email = "secretariat@edge.example" }

[delegations.AU-QLD]
name = "Queensland"
timezone = "Australia/Brisbane"
email = "qld@edge.example"
[delegations.AU-NSW]
name = "New South Wales"
timezone = "Australia/Sydney"
email = "nsw@edge.example"
[delegations.AU-SA]
name = "South Australia"
timezone = "Australia/Adelaide"
email = "sa@edge.example"
[delegations.AU-LH]
name = "Lord Howe Island"
timezone = "Australia/Lord_Howe"
[delegations.NZ-CI]
name = "Chatham Islands"
timezone = "Pacific/Chatham"
email = "chatham@edge.example"
[delegations.NP]
name = "Nepal"
timezone = "Asia/Kathmandu"
email = "np@edge.example"
[delegations.CL]
name = "Chile"
timezone = "America/Santiago"
[delegations.IE]
name = "Ireland"
timezone = "Europe/Dublin"
[delegations.KI]
name = "Kiribati (Line Islands)"
timezone = "Pacific/Kiritimati"
email = "ki@edge.example"
[delegations.AS]
name = "American Samoa"
timezone = "Pacific/Pago_Pago"

[people.host]
name = "Host"
delegation = "NP"
email = "host@edge.example"

[[sessions]]
id = "kathmandu-morning"
title = "Written in Kathmandu time, +05:45 all year"
timezone = "Asia/Kathmandu"
start = 2023-06-15T10:15:00
duration = "45m"
moderators = ["host"]

[[sessions]]
id = "brisbane-in-sydneys-skipped-hour"
title = "Brisbane 02:30 is 03:30 in Sydney, whose 02:00-02:59 never happens that night"
start = 2023-10-01T02:30:00
duration = "1h"
delegations = ["AU-QLD", "AU-NSW"]

[[sessions]]
id = "brisbane-in-sydneys-repeated-hour"
title = "Brisbane 01:30 is the first 02:30 in Sydney"
start = 2023-04-02T01:30:00
duration = "1h"
delegations = ["AU-QLD", "AU-NSW"]

[[sessions]]
id = "kiritimati-new-year"
title = "23:00 on 31 Dec at +14 is 22:00 on 30 Dec in Pago Pago"
timezone = "Pacific/Kiritimati"
start = 2023-12-31T23:00:00
duration = "2h"
delegations = ["KI", "AS"]

[[sessions]]
id = "pago-pago-new-year"
title = "23:00 on 31 Dec at -11 is 00:00 on 2 Jan in Kiritimati"
timezone = "Pacific/Pago_Pago"
start = 2023-12-31T23:00:00
duration = "2h"
delegations = ["KI", "AS"]

[[sessions]]
id = "offset-kathmandu"
title = "Written with +05:45"
start = 2023-06-15T16:00:00+05:45
duration = "1h"
delegations = ["NP"]

[[sessions]]
id = "offset-in-adelaides-repeated-hour"
title = "The second 02:30 in Adelaide; the offset says which"
start = 2023-04-02T02:30:00+09:30
duration = "1h"
delegations = ["AU-SA"]

[[sessions]]
id = "offset-in-adelaides-skipped-hour"
title = "A wall time Adelaide skips; the offset still names one instant"
start = 2023-10-01T02:30:00+09:30
duration = "1h"
delegations = ["AU-SA"]

[[sessions]]
id = "offset-in-chathams-repeated-hour"
title = "The second 03:15 in Chatham"
start = 2023-04-02T03:15:00+12:45
duration = "30m"
delegations = ["NZ-CI"]

[[sessions]]
id = "offset-across-the-date-line"
title = "Starts on 1 Jan at +14 and ends on 31 Dec at -11, an hour later"
start = 2024-01-01T00:30:00+14:00
end = 2023-12-31T01:30:00-11:00
delegations = ["KI", "AS"]
"""

FAR_FUTURE = """
[event]
id = "far-future"
name = "Far future"
timezone = "America/New_York"
organizer = { name = "Secretariat", email = "secretariat@far.example" }

[delegations.US]
name = "United States"
timezone = "America/New_York"
email = "us@far.example"
[delegations.DE]
name = "Germany"
timezone = "Europe/Berlin"
email = "de@far.example"

[people.chair]
name = "Chair"
delegation = "DE"

[[sessions]]
id = "new-york-summer-2037"
title = "Summer 2037"
start = 2037-07-01T12:00:00
duration = "1h"
delegations = ["*"]
moderators = ["chair"]

[[sessions]]
id = "berlin-new-year-2038"
title = "Across midnight into 2038 in Berlin"
timezone = "Europe/Berlin"
start = 2037-12-31T23:30:00
duration = "1h"
delegations = ["*"]

[[sessions]]
id = "berlin-two-summers"
title = "From summer 2037 to winter 2039, written in Berlin time"
timezone = "Europe/Berlin"
start = 2037-07-01T12:00:00
end = 2039-01-15T12:00:00
delegations = ["DE"]

[[sessions]]
id = "offset-summer-2039"
title = "Written with -04:00"
start = 2039-07-01T09:00:00-04:00
duration = "1h"
delegations = ["US"]
"""


def sessions_around(changes: tuple[tuple[str, str, str], ...], codes: dict[str, str]) -> str:
    """Return three sessions per clock change, written in the zone that changes: one ending at
    the last wall time before it, one starting at the first after, and one running across it.
    """
    tables = []
    for tz_name, before, after in changes:
        slug = f"{tz_name.rsplit('/', 1)[1].lower()}-{before[:10]}"
        last, first = datetime.fromisoformat(before), datetime.fromisoformat(after)
        for suffix, start, length in (
            ("ends-before", last - timedelta(minutes=59), f"end = {last.isoformat()}"),
            ("starts-after", first, 'duration = "1h"'),
            ("across", last - timedelta(minutes=29), 'duration = "3h"'),
        ):
            tables.append(
                f'[[sessions]]\nid = "{slug}-{suffix}"\ntitle = "{tz_name} {suffix}"\n'
                f'timezone = "{tz_name}"\nstart = {start.isoformat()}\n{length}\n'
                f'delegations = ["{codes[tz_name]}"]\n'
            )
    return "\n".join(tables)


EDGE_CODES = {
    "Australia/Adelaide": "AU-SA",
    "Australia/Sydney": "AU-NSW",
    "Australia/Lord_Howe": "AU-LH",
    "Pacific/Chatham": "NZ-CI",
    "America/Santiago": "CL",
    "Europe/Dublin": "IE",
}
FAR_CODES = {"America/New_York": "US", "Europe/Berlin": "DE"}
EDGE_TOML = {
    "edge-zones": EDGE_ZONES + sessions_around(CLOCK_CHANGES, EDGE_CODES),
    "far-future": FAR_FUTURE + sessions_around(FAR_CLOCK_CHANGES, FAR_CODES),
}
CORPORA = (*sorted(EXAMPLES), *EDGE_TOML)


@dataclass(frozen=True)
class Corpus:
    """A conference's timetable and every file exported from it."""

    timetable: Timetable
    files: dict[str, bytes]

    def expected(self) -> dict[str, tuple[datetime, datetime]]:
        """Each session's UID and its timetable instants; a closed one's busy block too."""
        event = self.timetable.conference.event
        instants = {
            f"{slot.id}.{event.id}@{event.uid_domain}": (slot.start_utc, slot.end_utc)
            for slot in self.timetable.slots
        }
        instants.update(
            {
                closed_block_uid(slot.id, event): (slot.start_utc, slot.end_utc)
                for slot in self.timetable.slots
                if slot.session.is_closed
            }
        )
        return instants


@functools.cache
def corpus(name: str) -> Corpus:
    """Return the timetable and files of an example (by stem) or of an edge event (by id)."""
    if name in EXAMPLES:
        conference = read_conference(str(EXAMPLES[name]))
    else:
        conference = conference_from_text(EDGE_TOML[name])
    timetable = build_timetable(conference)
    return Corpus(
        timetable, build_ics_files(timetable, plan_revision(Contents(), timetable, now=NOW))
    )


# ---- a reader of our own: content lines, VEVENT times and VTIMEZONEs -------------------------

Reading = tuple[str, datetime, datetime]  # UID, start and end in UTC
_VALUE = r'(?:"[^"]*"|[^";:,]*)'  # a parameter value, quoted or not
_LINE = re.compile(rf"([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+={_VALUE}(?:,{_VALUE})*)*):(.*)")
_PARAM = re.compile(rf";([A-Za-z0-9-]+)=({_VALUE}(?:,{_VALUE})*)")
_OFFSET = re.compile(r"([+-])(\d\d)(\d\d)(\d\d)?")
_HORIZON = datetime(2200, 1, 1)  # how far an RRULE observance is expanded


@dataclass(frozen=True)
class Time:
    """A DTSTART or DTEND as written: a naive wall time in a TZID, or a UTC instant."""

    wall: datetime
    tzid: str | None  # None for a UTC time


@dataclass
class Event:
    uid: str = ""
    times: dict[str, Time] = field(default_factory=dict)


@dataclass
class Observance:
    """One STANDARD or DAYLIGHT: its DTSTART (local, in TZOFFSETFROM), offsets, rules."""

    properties: dict[str, list[str]] = field(default_factory=dict)

    def onsets(self) -> list[tuple[datetime, timedelta]]:
        """Return each instant the observance starts (UTC, naive) and the offset it brings."""
        offset_from = parse_offset(self.properties["TZOFFSETFROM"][0])
        offset_to = parse_offset(self.properties["TZOFFSETTO"][0])
        first = datetime.strptime(self.properties["DTSTART"][0], "%Y%m%dT%H%M%S")
        walls = [first]
        for rule in self.properties.get("RRULE", []):
            walls += expand_rrule(rule, first, offset_from)
        for dates in self.properties.get("RDATE", []):
            walls += [datetime.strptime(value, "%Y%m%dT%H%M%S") for value in dates.split(",")]
        return [(wall - offset_from, offset_to) for wall in walls]


def parse_offset(text: str) -> timedelta:
    match = _OFFSET.fullmatch(text)
    assert match, f"not a UTC offset: {text!r}"
    sign, hours, minutes, seconds = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return -offset if sign == "-" else offset


def expand_rrule(rule: str, first: datetime, offset_from: timedelta) -> list[datetime]:
    """Return an observance's RRULE onsets (local walls) up to `_HORIZON`."""
    from dateutil.rrule import rrulestr  # icalendar, ical and vobject all depend on dateutil

    def local_until(match: re.Match[str]) -> str:  # UNTIL is UTC; DTSTART is a local wall
        until = datetime.strptime(match[1], "%Y%m%dT%H%M%S") + offset_from
        return f"UNTIL={until:%Y%m%dT%H%M%S}"

    rule = re.sub(r"UNTIL=(\d{8}T\d{6})Z", local_until, rule)
    walls = []
    for wall in rrulestr(rule, dtstart=first):
        if wall >= _HORIZON:
            break
        walls.append(wall)
    return walls


@dataclass
class OwnCalendar:
    """What our reader takes from a file: its VEVENTs and each VTIMEZONE's observances."""

    events: list[Event] = field(default_factory=list)
    zones: dict[str, list[Observance]] = field(default_factory=dict)


def content_lines(data: bytes) -> Iterator[tuple[str, dict[str, str], str]]:
    """Yield each unfolded content line as (NAME, {PARAM: value}, value)."""
    for line in re.sub(r"\r\n[ \t]", "", data.decode()).split("\r\n"):
        if not line:
            continue
        match = _LINE.fullmatch(line)
        assert match, f"not a content line: {line!r}"
        params = {key.upper(): value.strip('"') for key, value in _PARAM.findall(match[2])}
        yield match[1].upper(), params, match[3]


def read_own(data: bytes) -> OwnCalendar:
    """Return a file's VEVENTs (UID, DTSTART, DTEND) and VTIMEZONEs, read line by line."""
    calendar, path = OwnCalendar(), []
    tzid, event, observance = "", Event(), Observance()
    for name, params, value in content_lines(data):
        if name == "BEGIN":
            path.append(value)
            event = Event() if value == "VEVENT" else event
            observance = Observance() if value in ("STANDARD", "DAYLIGHT") else observance
        elif name == "END":
            assert path.pop() == value, f"END:{value} closes another component"
            if value == "VEVENT":
                calendar.events.append(event)
            elif value in ("STANDARD", "DAYLIGHT"):
                calendar.zones[tzid].append(observance)
        elif path[-1:] == ["VEVENT"] and name in ("UID", "DTSTART", "DTEND"):
            if name == "UID":
                event.uid = value
            else:
                event.times[name] = read_time(value, params.get("TZID"))
        elif path[-1:] == ["VTIMEZONE"] and name == "TZID":
            tzid = value
            calendar.zones[tzid] = []
        elif path[-1:] in (["STANDARD"], ["DAYLIGHT"]):
            observance.properties.setdefault(name, []).append(value)
    assert not path, f"{path} never ends"
    return calendar


def read_time(value: str, tzid: str | None) -> Time:
    if value.endswith("Z"):
        assert tzid is None, "a UTC time with a TZID"
        return Time(datetime.strptime(value, "%Y%m%dT%H%M%SZ"), None)
    assert tzid is not None, f"a floating time {value}: every time is zoned or UTC (SPEC §5)"
    return Time(datetime.strptime(value, "%Y%m%dT%H%M%S"), tzid)


Onsets = list[tuple[datetime, timedelta]]  # (naive UTC instant, offset from then on), sorted


def onsets_of(observances: list[Observance]) -> Onsets:
    return sorted(onset for observance in observances for onset in observance.onsets())


def instants_in_vtimezone(onsets: Onsets, wall: datetime) -> list[datetime]:
    """Return the instants a wall time names in a VTIMEZONE (RFC 5545 §3.6.5).

    An offset is the wall's if, at the instant `wall - offset`, the latest observance onset
    brings that offset. A wall time vconf writes names exactly one instant: none means it is
    skipped or before the VTIMEZONE's first observance, two that it happens twice.
    """
    starts = [start for start, _ in onsets]
    fits = []
    for offset in {offset for _, offset in onsets}:
        instant = wall - offset
        index = bisect_right(starts, instant) - 1
        if index >= 0 and onsets[index][1] == offset:
            fits.append(instant.replace(tzinfo=UTC))
    return sorted(fits)


# ---- the five readings ---------------------------------------------------------------------------


def by_vtimezone(data: bytes) -> list[Reading]:
    calendar = read_own(data)
    zones = {tzid: onsets_of(observances) for tzid, observances in calendar.zones.items()}

    def instant(uid: str, time: Time) -> datetime:
        if time.tzid is None:
            return time.wall.replace(tzinfo=UTC)
        assert time.tzid in zones, f"{uid}: TZID={time.tzid} has no VTIMEZONE"
        fits = instants_in_vtimezone(zones[time.tzid], time.wall)
        assert len(fits) == 1, f"{uid}: {time.wall} names {len(fits)} instants in {time.tzid}"
        return fits[0]

    return [
        (
            event.uid,
            instant(event.uid, event.times["DTSTART"]),
            instant(event.uid, event.times["DTEND"]),
        )
        for event in calendar.events
    ]


def by_zoneinfo(data: bytes) -> list[Reading]:
    def instant(time: Time) -> datetime:
        zone = UTC if time.tzid is None else zoneinfo.ZoneInfo(time.tzid)
        return time.wall.replace(tzinfo=zone).astimezone(UTC)

    return [
        (event.uid, instant(event.times["DTSTART"]), instant(event.times["DTEND"]))
        for event in read_own(data).events
    ]


def by_icalendar(data: bytes) -> list[Reading]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(data)
    for component in calendar.walk():
        assert not component.errors, f"{component.name}: {component.errors}"
    return [
        (
            str(event["UID"]),
            event.decoded("DTSTART").astimezone(UTC),
            event.decoded("DTEND").astimezone(UTC),
        )
        for event in calendar.walk("VEVENT")
    ]


def by_ical(data: bytes) -> list[Reading]:
    stream = pytest.importorskip("ical.calendar_stream")
    calendar = stream.IcsCalendarStream.calendar_from_ics(data.decode())
    return [
        (event.uid, event.start.astimezone(UTC), event.end.astimezone(UTC))
        for event in calendar.events
    ]


def by_vobject(data: bytes) -> list[Reading]:
    vobject = pytest.importorskip("vobject")
    import vobject.icalendar as vical

    registry = vical.__dict__.get("__tzidMap")
    if isinstance(registry, dict):  # vobject keeps every VTIMEZONE it read in a global map
        registry.clear()
        vical.registerTzid("UTC", vical.utc)
    calendar = vobject.readOne(data.decode(), validate=True)
    return [
        (
            event.uid.value,
            event.dtstart.value.astimezone(UTC),
            event.dtend.value.astimezone(UTC),
        )
        for event in calendar.contents.get("vevent", [])
    ]


READINGS: dict[str, Callable[[bytes], list[Reading]]] = {
    "icalendar": by_icalendar,
    "ical": by_ical,
    "vobject": by_vobject,
    "vtimezone": by_vtimezone,
    "zoneinfo": by_zoneinfo,
}


def disagreements(
    files: dict[str, bytes],
    expected: dict[str, tuple[datetime, datetime]],
    read: Callable[[bytes], list[Reading]],
) -> list[str]:
    """Return one line per file a reading fails on, or per event it reads at another instant."""
    found = []
    for path, data in sorted(files.items()):
        uids = [event.uid for event in read_own(data).events]
        want = [(uid, *expected[uid]) for uid in uids]
        try:
            got = read(data)
        except Exception as error:  # any parser error fails this file; go on with the next
            found.append(f"{path}: {type(error).__name__}: {error}")
            continue
        if [uid for uid, *_ in got] != uids:
            found.append(f"{path}: reads the UIDs {[uid for uid, *_ in got]}, the file has {uids}")
            continue
        found += [
            f"{path}: {uid} {start:%Y-%m-%d %H:%M}Z-{end:%Y-%m-%d %H:%M}Z, "
            f"timetable {start_utc:%Y-%m-%d %H:%M}Z-{end_utc:%Y-%m-%d %H:%M}Z"
            for (uid, start, end), (_, start_utc, end_utc) in zip(got, want, strict=True)
            if (start, end) != (start_utc, end_utc)
        ]
    return found


# ---- agreement -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("name", CORPORA)
def test_every_parser_reads_every_exported_event_at_its_timetable_instants(
    name: str, reading: str
) -> None:
    exported = corpus(name)
    assert disagreements(exported.files, exported.expected(), READINGS[reading]) == []


@pytest.mark.parametrize("name", CORPORA)
def test_every_kind_of_file_is_in_the_agreement_test(name: str) -> None:
    kinds = {path.split("/")[0] if "/" in path else "event" for path in corpus(name).files}
    assert kinds == {"event", "delegations", "people", "invites"}


# ---- the edge events test what they claim --------------------------------------------------------


def is_plain_wall(wall: datetime, tz_name: str) -> bool:
    """Whether a wall time happens exactly once in a zone (not skipped, not repeated)."""
    zone = zoneinfo.ZoneInfo(tz_name)
    first, second = wall.replace(tzinfo=zone), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        return False  # repeated, or skipped: zoneinfo gives the two sides' offsets
    return first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    "change", CLOCK_CHANGES + FAR_CLOCK_CHANGES, ids=lambda c: f"{c[0]}@{c[1]}"
)
def test_each_listed_clock_change_happens_between_its_two_wall_times(
    change: tuple[str, str, str],
) -> None:
    tz_name, before, after = change
    last, first = datetime.fromisoformat(before), datetime.fromisoformat(after)
    zone = zoneinfo.ZoneInfo(tz_name)
    assert is_plain_wall(last, tz_name)
    assert is_plain_wall(first, tz_name)
    assert not is_plain_wall(last + timedelta(minutes=1), tz_name)
    assert not is_plain_wall(first - timedelta(minutes=1), tz_name)
    assert last.replace(tzinfo=zone).utcoffset() != first.replace(tzinfo=zone).utcoffset()


@pytest.mark.parametrize("name", list(EDGE_TOML))
def test_edge_sessions_keep_their_zone_outside_skipped_and_repeated_hours(name: str) -> None:
    exported = corpus(name)
    for slot in exported.timetable.slots:
        if slot.session.start.tzinfo is not None:
            assert (slot.start_tz, slot.end_tz) == ("UTC", "UTC")
            continue
        for instant, tz_name in ((slot.start_utc, slot.start_tz), (slot.end_utc, slot.end_tz)):
            wall = instant.astimezone(zoneinfo.ZoneInfo(tz_name)).replace(tzinfo=None)
            assert is_plain_wall(wall, tz_name), (slot.id, wall)
    written = exported.files[f"{exported.timetable.conference.event.id}.ics"]
    local = [
        time for event in read_own(written).events for time in event.times.values() if time.tzid
    ]
    assert len(local) == 2 * sum(
        slot.session.start.tzinfo is None for slot in exported.timetable.slots
    )


# ---- the VTIMEZONE readers can fail --------------------------------------------------------------


def rewrite_observances(data: bytes, change: Callable[[dict[str, str]], dict[str, str]]) -> bytes:
    """Return a file whose STANDARD/DAYLIGHT blocks `change` rewrote (a block as {NAME: value})."""

    def rewrite(match: re.Match[str]) -> str:
        lines = match[2].split("\r\n")[:-1]
        block = change(dict(line.split(":", 1) for line in lines))
        body = "".join(f"{key}:{value}\r\n" for key, value in block.items())
        return f"BEGIN:{match[1]}\r\n{body}END:{match[1]}\r\n" if block else ""

    pattern = r"BEGIN:(STANDARD|DAYLIGHT)\r\n(.*?)END:\1\r\n"
    return re.sub(pattern, rewrite, data.decode(), flags=re.S).encode()


def dated_in_the_new_offset(block: dict[str, str]) -> dict[str, str]:
    """The trap of icalendar's own VTIMEZONEs: DTSTART in the local time of TZOFFSETTO."""
    shift = parse_offset(block["TZOFFSETTO"]) - parse_offset(block["TZOFFSETFROM"])
    wall = datetime.strptime(block["DTSTART"], "%Y%m%dT%H%M%S") + shift
    return {**block, "DTSTART": f"{wall:%Y%m%dT%H%M%S}"}


def ending_in_2037(block: dict[str, str]) -> dict[str, str]:
    """The other trap: a VTIMEZONE whose observances stop at 2038."""
    return block if block["DTSTART"] < "2038" else {}


def test_vtimezone_reader_catches_observances_dated_in_the_new_offset() -> None:
    files = corpus("edge-zones").files
    wrong = {
        path: rewrite_observances(data, dated_in_the_new_offset) for path, data in files.items()
    }
    expected = corpus("edge-zones").expected()
    found = disagreements(wrong, expected, by_vtimezone)
    # the day Adelaide's clocks go forward, 03:00 now falls before the (late) onset of ACDT;
    # vobject compares wall times with DTSTART, so it lets this through outside the changed hour
    session = "adelaide-2023-10-01-starts-after"  # an invite holds this one session
    skipped = (
        f"invites/{session}.ics: AssertionError: {session}.edge-zones@edge.example: "
        "2023-10-01 03:00:00 names 0 instants in Australia/Adelaide"
    )
    assert any(line.startswith(skipped) for line in found), found
    assert disagreements(wrong, expected, by_zoneinfo) == []  # the name still says it all


@pytest.mark.parametrize("reading", ["vobject", "vtimezone"])
def test_vtimezone_readers_catch_a_vtimezone_that_stops_in_2037(reading: str) -> None:
    files = corpus("far-future").files
    stale = {path: rewrite_observances(data, ending_in_2037) for path, data in files.items()}
    found = disagreements(stale, corpus("far-future").expected(), READINGS[reading])
    assert any("new_york-2038-11-07-ends-before" in line for line in found)
    assert any("berlin-2039-03-27-starts-after" in line for line in found)


NEW_YORK_BY_RULES = b"""\
BEGIN:VCALENDAR\r
BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:STANDARD\r
DTSTART:19671029T020000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19870405T020000\r
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
END:DAYLIGHT\r
BEGIN:DAYLIGHT\r
DTSTART:20070311T020000\r
RDATE:20070311T020000,20080309T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
DTSTART:20071104T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
END:STANDARD\r
END:VTIMEZONE\r
END:VCALENDAR\r
"""  # RFC 5545 §3.6.5's example, with an RDATE that repeats two of the RRULE's onsets


@pytest.mark.parametrize(
    "wall",
    [
        "2006-04-02T03:00",  # the last onset of an RRULE with UNTIL
        "2006-10-29T00:59",
        "2006-10-29T02:00",
        "2007-03-11T03:00",
        "2038-07-01T12:00",
        "2039-11-06T00:59",
        "2039-11-06T02:00",
    ],
)
def test_vtimezone_reader_applies_rrule_and_rdate_observances_like_zoneinfo(wall: str) -> None:
    (observances,) = read_own(NEW_YORK_BY_RULES).zones.values()
    local = datetime.fromisoformat(wall)
    by_zoneinfo = local.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York")).astimezone(UTC)
    assert instants_in_vtimezone(onsets_of(observances), local) == [by_zoneinfo]


def test_vtimezone_reader_finds_no_instant_in_a_gap_and_two_in_a_fold() -> None:
    (observances,) = read_own(NEW_YORK_BY_RULES).zones.values()
    onsets = onsets_of(observances)
    assert instants_in_vtimezone(onsets, datetime(2039, 3, 13, 2, 30)) == []
    assert instants_in_vtimezone(onsets, datetime(2039, 11, 6, 1, 30)) == [
        datetime(2039, 11, 6, 5, 30, tzinfo=UTC),
        datetime(2039, 11, 6, 6, 30, tzinfo=UTC),
    ]
    assert instants_in_vtimezone(onsets, datetime(1960, 1, 1)) == []  # before its first onset
