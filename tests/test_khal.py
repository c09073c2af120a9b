"""A delegation's file, imported into a throwaway khal calendar, lists at its local times.

Issue 5: khal (a calendar CLI on top of icalendar and pytz) is a second opinion on what a person
sees. Each case exports an event, imports one delegation's file with `khal import --batch` into a
calendar under a temporary HOME, lists it with khal's zone set to the delegation's, and compares
each session's start and end with the timetable's instants in that zone. Skipped when khal is not
installed (`pip install khal`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zoneinfo
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import timetable_of
from vconf.export import build_ics_files
from vconf.load import read_conference
from vconf.revisions import Contents, plan_revision
from vconf.timetable import Timetable, build_timetable

NOW = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)
EXAMPLES = Path(__file__).parent.parent / "examples"
FORMAT = "%Y-%m-%d %H:%M %z"  # khal's datetimeformat below, as strftime writes it

EDGES = """
[event]
id = "khal-edges"
name = "khal edges"
timezone = "Australia/Lord_Howe"

[delegations.LH]
name = "Lord Howe Island"
timezone = "Australia/Lord_Howe"
[delegations.CI]
name = "Chatham Islands"
timezone = "Pacific/Chatham"
[delegations.AS]
name = "American Samoa"
timezone = "Pacific/Pago_Pago"
[delegations.DE]
name = "Germany"
timezone = "Europe/Berlin"

[[sessions]]
id = "lord-howe-across-the-half-hour-change"
title = "01:30 at +10:30 for 2 h: ends at 04:00 at +11"
start = 2023-10-01T01:30:00
duration = "2h"
delegations = ["LH"]

[[sessions]]
id = "lord-howe-after-the-repeated-half-hour"
title = "02:00, just after 01:30-01:59 happened twice"
start = 2023-04-02T02:00:00
duration = "1h"
delegations = ["LH", "CI"]

[[sessions]]
id = "chatham-across-its-change"
title = "02:15 at +12:45 for 3 h"
timezone = "Pacific/Chatham"
start = 2023-09-24T02:15:00
duration = "3h"
delegations = ["CI"]

[[sessions]]
id = "pago-pago-new-year"
title = "23:00 on 31 Dec at -11: 2 Jan in Lord Howe"
timezone = "Pacific/Pago_Pago"
start = 2023-12-31T23:00:00
duration = "2h"
delegations = ["AS", "LH"]

[[sessions]]
id = "written-at-plus-14"
title = "00:30 on 1 Jan at +14: 30 Dec in Pago Pago"
start = 2024-01-01T00:30:00+14:00
duration = "1h"
delegations = ["AS"]

[[sessions]]
id = "berlin-spring-2039"
title = "03:00, just after Berlin's clocks go forward in 2039"
timezone = "Europe/Berlin"
start = 2039-03-27T03:00:00
duration = "1h"
delegations = ["DE"]

[[sessions]]
id = "berlin-across-autumn-2038"
title = "01:30 CEST for 3 h: ends 03:30 CET"
timezone = "Europe/Berlin"
start = 2038-10-31T01:30:00
duration = "3h"
delegations = ["DE"]
"""

CASES: list[Any] = [  # (example file stem or "edges", delegation code)
    ("danang-partners-2023", "ADL"),  # Adelaide: ACDT to ACST and back within the year
    ("danang-partners-2023", "PIT"),  # New York: EST to EDT and back
    ("itu-digital-world-2020", "CH"),  # sessions written in Europe/Zurich and New York time
    ("icdd-2021", "NZ"),  # Auckland's summer, far from the Jakarta event zone
    ("edges", "LH"),
    ("edges", "CI"),
    ("edges", "AS"),
    pytest.param(
        "edges",
        "DE",
        marks=pytest.mark.xfail(
            strict=True,
            reason="khal reads a TZID with pytz, whose zones have no DST after 2037; the file "
            "is right (libical, vobject and test_interop's VTIMEZONE reader agree)",
        ),
    ),
]


def khal_command() -> list[str]:
    """Return how to run khal: this interpreter's khal module, else a khal on PATH."""
    if importlib.util.find_spec("khal") is not None:
        return [sys.executable, "-m", "khal"]
    found = shutil.which("khal")
    if found is None:
        pytest.skip("khal is not installed (pip install khal)")
    return [found]


def source_timetable(source: str) -> Timetable:
    """Return the timetable of the EDGES text, or of the example named `source`."""
    if source == "edges":
        return timetable_of(EDGES)
    return build_timetable(read_conference(str(EXAMPLES / f"{source}.toml")))


def write_config(root: Path, tz_name: str) -> Path:
    """Write a khal config with one calendar, its cache and both of khal's zones in `root`."""
    (root / "calendar").mkdir()
    config = root / "khal.conf"
    config.write_text(
        textwrap.dedent(f"""\
        [calendars]
        [[delegation]]
        path = {root / "calendar"}
        type = calendar

        [locale]
        timeformat = %H:%M
        dateformat = %Y-%m-%d
        longdateformat = %Y-%m-%d
        datetimeformat = %Y-%m-%d %H:%M %z
        longdatetimeformat = %Y-%m-%d %H:%M %z
        default_timezone = {tz_name}
        local_timezone = {tz_name}

        [default]
        default_calendar = delegation

        [sqlite]
        path = {root / "khal.db"}
        """)
    )
    return config


def run_khal(root: Path, tz_name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run khal with HOME, XDG dirs and TZ inside `root`, so no user setup is read or touched."""
    environment = {
        **os.environ,
        "HOME": str(root),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "TZ": tz_name,
        "LC_ALL": "C.UTF-8",
    }
    config = root / "khal.conf"
    result = subprocess.run(
        [*khal_command(), "-c", str(config), *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    complaints = re.findall(r".*\b(?:error|critical|traceback)\b.*", result.stderr, re.IGNORECASE)
    assert (result.returncode, complaints) == (0, []), result.stderr
    return result


@pytest.mark.parametrize(("source", "code"), CASES)
def test_delegation_file_lists_in_khal_at_the_delegations_local_times(
    source: str, code: str, tmp_path: Path
) -> None:
    timetable = source_timetable(source)
    tz_name = timetable.delegations[code].tz_name
    zone = zoneinfo.ZoneInfo(tz_name)
    event = timetable.conference.event
    slots = [slot for slot in timetable.slots if code in slot.delegations]
    expected = {
        (
            slot.start_utc.astimezone(zone).strftime(FORMAT),
            slot.end_utc.astimezone(zone).strftime(FORMAT),
            f"{slot.id}.{event.id}@{event.uid_domain}",
        )
        for slot in slots
    }
    ics = tmp_path / f"{code}.ics"
    ics.write_bytes(
        build_ics_files(timetable, plan_revision(Contents(), timetable, now=NOW))[
            f"delegations/{code}.ics"
        ]
    )
    write_config(tmp_path, tz_name)

    run_khal(tmp_path, tz_name, "import", "--batch", "-a", "delegation", str(ics))
    first = min(slot.start_utc for slot in slots).astimezone(zone).date() - timedelta(days=1)
    last = max(slot.end_utc for slot in slots).astimezone(zone).date() + timedelta(days=2)
    listed = run_khal(
        tmp_path, tz_name, "list", "-a", "delegation", "--day-format", "",
        "--format", "{start-long}\t{end-long}\t{uid}", first.isoformat(), last.isoformat(),
    )  # fmt: skip
    # a session across midnight is listed on each of its days
    seen = {tuple(line.split("\t")) for line in listed.stdout.splitlines() if line.strip()}
    assert seen == expected
