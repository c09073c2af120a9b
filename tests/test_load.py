"""Reading the TOML file: every input error is one line naming the place and what is expected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vconf.errors import VconfError
from vconf.load import conference_from_bytes, conference_from_text, read_conference
from vconf.model import Conference, Hours, Kind, Visibility

INVALID = sorted((Path(__file__).parent / "data" / "invalid").glob("*.toml"))

SESSION = """
[[sessions]]
id = "opening"
title = "Opening"
start = 2021-11-16T14:00:00
duration = "45m"
"""


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.stem)
def test_each_invalid_file_names_its_place_and_mistake(path: Path) -> None:
    """Line 1 is `# expect: LINE:COL: key path: words`, or `# expect: words` where no line is."""
    expected = path.read_bytes().split(b"\n", 1)[0].decode("utf-8").removeprefix("# expect: ")
    with pytest.raises(VconfError) as caught:
        read_conference(str(path))
    lines = caught.value.lines
    assert str(caught.value) == "\n".join(lines)
    separator = ":" if expected[:1].isdigit() else ": "
    assert any(line.startswith(f"{path}{separator}{expected}") for line in lines), lines
    assert all(line.startswith(f"{path}:") and line.isprintable() for line in lines)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(VconfError, match="cannot read the file"):
        read_conference(str(tmp_path / "nope.toml"))


def test_a_utf8_bom_is_accepted(conference: Callable[[str], Conference]) -> None:
    text = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n'
    assert conference_from_bytes(b"\xef\xbb\xbf" + text.encode()).event.id == "t"


def test_utf16_is_refused_with_advice() -> None:
    text = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n'
    with pytest.raises(VconfError, match="the file is UTF-16; save it as UTF-8"):
        conference_from_bytes(text.encode("utf-16"))


def test_defaults_fill_in_what_the_file_leaves_out(conference: Callable[[str], Conference]) -> None:
    read = conference(
        '[delegations.VN]\nname = "Viet Nam"\ntimezone = "Asia/Ho_Chi_Minh"\n' + SESSION
    )
    session = read.sessions[0]
    assert session.kind is Kind.OTHER
    assert session.visibility is Visibility.PUBLIC
    assert session.duration == timedelta(minutes=45)
    assert session.tz_name == "Asia/Jakarta"
    assert read.delegations[0].hours == Hours(7 * 60, 22 * 60)
    assert read.delegations[0].weekend == (5, 6)
    assert read.event.uid_domain == "test.example"


@pytest.mark.parametrize(
    ("written", "minutes"),
    [('"45m"', 45), ('"1h"', 60), ('"1h30m"', 90), ('"90m"', 90), ("90", 90)],
)
def test_durations_read_in_every_spec_form(
    conference: Callable[[str], Conference], written: str, minutes: int
) -> None:
    read = conference(SESSION.replace('"45m"', written))
    assert read.sessions[0].duration == timedelta(minutes=minutes)


def test_an_offset_date_time_is_an_absolute_instant(
    conference: Callable[[str], Conference],
) -> None:
    read = conference(SESSION.replace("2021-11-16T14:00:00", "2021-11-16T14:00:00+07:00"))
    assert read.sessions[0].start == datetime(2021, 11, 16, 7, 0, tzinfo=timezone.utc)


def test_hours_may_end_at_midnight(conference: Callable[[str], Conference]) -> None:
    read = conference(
        '[delegations.VN]\nname = "V"\ntimezone = "Asia/Ho_Chi_Minh"\nhours = "22:00-24:00"\n'
    )
    assert read.delegations[0].hours == Hours(22 * 60, 24 * 60)


def test_an_end_in_another_frame_is_compared_as_an_instant(
    conference: Callable[[str], Conference],
) -> None:
    # 14:00 Jakarta is 07:00Z; an end at 07:30Z written as an offset is after it
    text = SESSION.replace('duration = "45m"', "end = 2021-11-16T07:30:00Z")
    assert conference(text).sessions[0].end == datetime(2021, 11, 16, 7, 30, tzinfo=timezone.utc)


def test_a_session_that_is_not_a_table_is_refused(conference: Callable[[str], Conference]) -> None:
    text = 'sessions = [1]\n[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n'
    with pytest.raises(VconfError, match=r"sessions\[1\]: expected a table"):
        conference(text)


def test_the_year_is_bounded(conference: Callable[[str], Conference]) -> None:
    with pytest.raises(VconfError, match="expected a year from 1900 to 2999"):
        conference(SESSION.replace("2021-11-16T14:00:00", "0001-01-01T00:00:00"))


def test_a_large_file_read_in_chunks_equals_one_parse(
    conference: Callable[[str], Conference],
) -> None:
    from vconf.load import document as load
    from vconf.load.records import read_document

    sessions = "".join(
        f'[[sessions]]\nid = "s{number}"\ntitle = "S {number}"\n'
        f'start = 2021-11-16T{number % 24:02d}:00:00\nduration = "45m"\n'
        f'description = """{"x" * 1000}"""\n'
        for number in range(5000)
    )
    text = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n' + sessions
    assert load.session_chunks(text) is not None
    whole = read_document(load.parse_toml(text))
    assert load.conference_from_text(text) == whole


def test_a_chunked_file_still_reports_the_first_error_of_one_parse() -> None:
    from vconf.load import document as load

    session = (
        '[[sessions]]\nid = "s{0}"\ntitle = "S"\nstart = 2021-11-16T10:00:00\nduration = "1h"\n'
    )
    body = (
        "".join(session.format(number) for number in range(3000))
        + 'description = """'
        + "y" * 4_000_000
    )
    text = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n' + body
    with pytest.raises(VconfError, match="TOML syntax"):
        load.conference_from_text(text)


def test_a_sessions_header_inside_a_multiline_string_is_not_a_chunk_boundary() -> None:
    from vconf.load import document as load

    filler = "".join(
        f'[[sessions]]\nid = "s{n}"\ntitle = "S"\nstart = 2021-11-16T10:00:00\nduration = "1h"\n'
        f'description = """{"z" * 2000}"""\n'
        for n in range(2500)
    )
    tricky = (
        '[[sessions]]\nid = "tricky"\ntitle = "T"\nstart = 2021-11-16T10:00:00\nduration = "1h"\n'
        'description = """\n[[sessions]]\nid = "fake"\n"""\n'
    )
    text = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n' + tricky + filler
    read = load.conference_from_text(text)
    assert [session.id for session in read.sessions][:2] == ["tricky", "s0"]
    assert "[[sessions]]" in read.sessions[0].description


FIVE_MISTAKES = """\
[event]
id = "t"
name = "T"
timezone = "Asia/Jakarta"
hours = "9-5"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"
weekend = ["Sat", "Caturday"]

[people.son]
name = "Son"
delegation = "VM"

[[sessions]]
id = "opening"
title = "Opening"
start = "soon"
duration = "45m"

[[sessions]]
id = "panel"
title = "Panel"
start = 2021-11-16T10:00:00
duration = "45m"
speakers = ["son", "nobody"]
"""


def test_five_independent_mistakes_are_reported_at_once_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "five.toml"
    path.write_text(FIVE_MISTAKES, encoding="utf-8")
    with pytest.raises(VconfError) as caught:
        read_conference(str(path))
    assert [line.split(": ", 2)[:2] for line in caught.value.lines] == [
        [f"{path}:5:1", "event.hours"],
        [f"{path}:10:1", "delegations.VN.weekend[2]"],
        [f"{path}:14:1", "people.son.delegation"],
        [f"{path}:19:1", "sessions[1] (opening).start"],
        [f"{path}:27:1", "sessions[2] (panel).speakers[2]"],
    ]
    assert "got 'soon'" in caught.value.lines[3]


def test_past_fifty_errors_the_rest_are_counted_in_one_line() -> None:
    bad = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n' + "".join(
        f'[[sessions]]\nid = "s{n}"\ntitle = "S"\nstart = "soon"\nduration = "1h"\n'
        for n in range(1, 121)
    )
    with pytest.raises(VconfError) as caught:
        conference_from_text(bad)
    lines = caught.value.lines
    assert len(lines) == 51
    assert lines[-1] == "and 70 more errors"
    assert lines[0].startswith("line 8:1: sessions[1] (s1).start: expected a date-time")
    assert lines[49].startswith(f"line {8 + 5 * 49}:1: sessions[50] (s50).start:")


def test_an_error_in_a_chunked_file_names_the_line_of_the_whole_file() -> None:
    from vconf.load import document

    filler = "".join(
        f'[[sessions]]\nid = "s{n}"\ntitle = "S"\nstart = 2021-11-16T10:00:00\nduration = "1h"\n'
        f'description = """{"z" * 2000}"""\n'
        for n in range(2500)
    )
    broken = '[[sessions]]\nid = "late"\ntitle = "T"\nstart = 2021-11-16T10:00:00\nend = 3\n'
    text = '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n' + filler + broken
    assert document.session_chunks(text) is not None
    with pytest.raises(VconfError) as caught:
        document.conference_from_text(text)
    assert str(caught.value).startswith(f"line {text.count(chr(10))}:1: sessions[2501] (late).end:")


def test_a_value_inside_an_inline_table_points_at_its_key(
    conference: Callable[[str], Conference],
) -> None:
    text = (
        '[event]\nid = "t"\nname = "T"\ntimezone = "Asia/Jakarta"\n'
        'description = """\n[[sessions]]\n"""\n'
        '  organizer = { name = "S", email = "nope" }\n'
    )
    with pytest.raises(VconfError) as caught:
        conference(text)
    lines = caught.value.lines
    assert lines[0].startswith("line 5:1: event.description: unknown key in [event]")
    assert lines[1].startswith("line 8:3: event.organizer.email: expected an email address")


@pytest.mark.parametrize(
    ("written", "meant"),
    [("ICT", "Asia/Ho_Chi_Minh"), ("WIB", "Asia/Jakarta"), ("PST", "America/Los_Angeles")],
)
def test_a_zone_abbreviation_suggests_the_zones_it_may_mean(
    conference: Callable[[str], Conference], written: str, meant: str
) -> None:
    with pytest.raises(VconfError, match=f"abbreviation, not a zone; did you mean .*'{meant}'"):
        conference(f'[delegations.X]\nname = "X"\ntimezone = "{written}"\n')


def test_an_abbreviation_prefers_the_zones_of_the_file(
    conference: Callable[[str], Conference],
) -> None:
    text = (
        '[delegations.TH]\nname = "Thailand"\ntimezone = "Asia/Bangkok"\n'
        '[delegations.VN]\nname = "Viet Nam"\ntimezone = "ICT"\n'
    )
    with pytest.raises(VconfError, match="did you mean 'Asia/Bangkok'"):
        conference(text)
