"""Every output of every example, byte for byte as in tests/golden/ (regenerate.py writes them)."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from golden.regenerate import GOLDEN, examples, golden_outputs


@pytest.mark.parametrize("example", examples())
def test_every_output_of_the_example_is_byte_identical_to_its_golden_file(example: str) -> None:
    outputs = golden_outputs(example)
    folder = GOLDEN / example
    expected = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }
    assert sorted(outputs) == sorted(expected), "run tests/golden/regenerate.py and review"
    differing = [name for name in outputs if outputs[name] != expected[name]]
    assert not differing, f"differ from tests/golden/{example}: {differing[:10]}"


@pytest.mark.parametrize("example", examples())
def test_every_golden_calendar_parses_and_holds_dated_events(example: str) -> None:
    folder = GOLDEN / example / "export"
    calendars = sorted(folder.rglob("*.ics"))
    assert calendars
    for path in calendars:
        calendar = Calendar.from_ical(path.read_bytes())
        for event in calendar.walk("VEVENT"):
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            assert start.utcoffset() is not None, path
            assert end > start, path


@pytest.mark.parametrize("example", examples())
def test_the_export_is_the_same_when_a_second_process_renders_pages(
    example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VCONF_JOBS=2 forks the pages' child even for a small event: the bytes must not change."""
    monkeypatch.setenv("VCONF_JOBS", "2")
    outputs = golden_outputs(example)
    folder = GOLDEN / example
    for name, data in outputs.items():
        if name.startswith("export/"):
            assert data == (folder / name).read_bytes(), name
