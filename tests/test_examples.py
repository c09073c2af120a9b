"""Every example plans as examples/README.md says, and what it writes parses back."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vconf.cli import cli

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.toml"))
EXPECTED_EXIT = {"icdd-2021": 1}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_plans_with_its_documented_exit_code(example: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["plan", str(example), "-o", str(tmp_path / "out")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == EXPECTED_EXIT.get(example.stem, 0), result.output


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_exports_calendars_icalendar_reads(example: Path, tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", str(example), "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    files = sorted(out.rglob("*.ics"))
    assert files
    for path in files:
        calendar = Calendar.from_ical(path.read_bytes())
        for component in calendar.walk():
            assert not component.errors, (path, component.errors)
