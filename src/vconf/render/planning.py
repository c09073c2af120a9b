"""The zone grid and slot proposals as rich renderables (`vconf zones`, `vconf slots`).

Their JSON is in `vconf.render.json`, beside the other JSON outputs; the words (dates, clock
times, spans) are `vconf.render.words`, the same as the agenda's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.text import Text

from vconf.model import WEEKDAYS
from vconf.planning import (
    CellState,
    ClockChangeRow,
    LocalSpan,
    OutsideHours,
    Proposal,
    ZoneGrid,
    ZoneRow,
)
from vconf.render.words import (
    ARROW,
    EN_DASH,
    city_of,
    clock_text,
    day_heading,
    end_clock,
    whole_minutes,
)
from vconf.timetable import Timetable
from vconf.timezones import format_offset, local_label, readable_abbreviation, utc_to_local

CELLS = {
    CellState.WORK: ("\u2588", "green"),
    CellState.OFF_HOURS: ("\u2591", "yellow"),
    CellState.NIGHT: ("\u00b7", "blue"),
    CellState.NON_WORKING: ("x", "red"),
}
LEGEND = {
    CellState.WORK: "working hours",
    CellState.OFF_HOURS: "awake, off hours",
    CellState.NIGHT: "night",
    CellState.NON_WORKING: "weekend or holiday",
}
COLUMN_GAP = "  "
HOURS_PER_GROUP = 3  # a space and an hour label every three hours
CODE_WIDTH = 8


# ---- zones: text -------------------------------------------------------------------------------


def zone_grid_as_text(grid: ZoneGrid) -> Iterator[RenderableType]:
    """Yield the hour grid and its legend, the delegations' zones, then the clock changes."""
    city = city_of(grid.event.tz_name)
    heading = f"{day_heading(grid.day)}, hours in {city} ({_offset_text(grid)})"
    yield Text(heading, style="bold")
    if not grid.rows:
        yield Text("The file declares no delegations.")
    else:
        yield _grid_text(grid)
        yield _legend()
        yield Text()
        yield _zone_table(grid)
    yield Text()
    yield from _clock_changes_text(grid)


def _grid_text(grid: ZoneGrid) -> Text:
    """Return one line per delegation (code, offset, abbreviation, 24 cells) under the hours."""
    code_width = min(max(len(row.delegation.code) for row in grid.rows), CODE_WIDTH)
    abbreviation_width = max(len(readable_abbreviation(row.abbreviation)) for row in grid.rows)
    label_width = code_width + len(" +00:00 ") + abbreviation_width + 2
    text = Text(" " * label_width + _hour_labels(), style="bold", end="")
    for row in grid.rows:
        code = _shortened(row.delegation.code, code_width).ljust(code_width)
        abbreviation = readable_abbreviation(row.abbreviation).ljust(abbreviation_width)
        label = f"{code} {format_offset(row.offset)} {abbreviation}"
        text.append("\n" + label + "  ", style="")
        _append_cells(text, row.cells)
    return text


def _hour_labels() -> str:
    """Return `00  03  06 …`: a label over each group of three hour cells."""
    labels = (f"{hour:02d}" for hour in range(0, 24, HOURS_PER_GROUP))
    return "".join(label.ljust(HOURS_PER_GROUP + 1) for label in labels).rstrip()


def _append_cells(text: Text, cells: tuple[CellState, ...]) -> None:
    """Append the cells, a space between groups of three, each in its state's style."""
    for hour, cell in enumerate(cells):
        if hour and hour % HOURS_PER_GROUP == 0:
            text.append(" ")
        character, style = CELLS[cell]
        text.append(character, style=style)


def _legend() -> Text:
    """Return the line saying what each cell character means."""
    text = Text()
    for state, words in LEGEND.items():
        character, style = CELLS[state]
        if text:
            text.append("   ")
        text.append(character, style=style)
        text.append(f" {words}")
    return text


def _zone_table(grid: ZoneGrid) -> RenderableType:
    """Return code, offset, hours in the event zone, zone and name, one line per delegation."""
    heading = ("Code", "Offset", f"Hours in {city_of(grid.event.tz_name)}", "Zone", "Name")
    return _ZoneTable((heading, *(_zone_table_row(row, grid.day) for row in grid.rows)))


def _zone_table_row(row: ZoneRow, day: date) -> tuple[str, ...]:
    """Return the cells of one delegation in the zone table."""
    delegation = row.delegation
    return (
        delegation.code,
        f"{format_offset(row.offset)} {readable_abbreviation(row.abbreviation)}".strip(),
        _span_text(row.hours_start_local, row.hours_end_local, day),
        delegation.tz_name,
        delegation.name,
    )


def _clock_changes_text(grid: ZoneGrid) -> Iterator[RenderableType]:
    """Yield a heading and one line per clock change in the event's days, or a line saying none."""
    days = _days_text(grid.first_day, grid.clock_changes_last_day)
    if grid.clock_changes_last_day < grid.last_day:
        shown = (grid.clock_changes_last_day - grid.first_day).days + 1
        days += f" (the event's first {shown} days)"
    if not grid.clock_changes:
        yield Text(f"No clock changes {days}.")
        return
    yield Text(f"Clock changes {days}:", style="bold")
    for row in grid.clock_changes:
        yield _Indented(Text(_clock_change_line(row, grid.event.tz_name)), 0)


def _clock_change_line(row: ClockChangeRow, event_tz_name: str) -> str:
    """Return `Sun 12 Mar 2023 02:00 EST → 03:00 EDT (UTC-04:00)  America/New_York: US, CA`."""
    change = row.change
    before = f"{row.local_before:%H:%M} {change.abbreviation_before}".strip()
    after = f"{row.local_after:%H:%M} {change.abbreviation_after}".strip()
    who = [*row.delegations, *(["event zone"] if row.tz_name == event_tz_name else [])]
    return (
        f"{day_heading(row.local_before.date())} {before} {ARROW} {after} "
        f"(UTC{format_offset(change.offset_after)})  {row.tz_name}: {', '.join(who)}"
    )


# ---- slots: text -------------------------------------------------------------------------------


def proposals_as_text(
    proposals: tuple[Proposal, ...], timetable: Timetable
) -> Iterator[RenderableType]:
    """Yield a heading, then per proposal: rank and times, score, clashes, who is outside."""
    if not proposals:
        yield Text("No start time to propose.")
        return
    yield _Indented(Text(_proposals_heading(proposals[0], timetable), style="bold"), 0)
    width = len(str(len(proposals))) + 2
    for rank, proposal in enumerate(proposals, start=1):
        yield Text()
        yield from _proposal_text(proposal, timetable, f"{rank}.".ljust(width))


def _proposals_heading(first: Proposal, timetable: Timetable) -> str:
    """Return `Best start times for a 60 min session with AU, ID and VN:`."""
    codes = first.delegations
    if len(codes) == len(timetable.delegations) and len(codes) > 1:
        who = f"all {len(codes)} delegations"
    else:
        who = ", ".join(codes) or "no delegation"
    length = whole_minutes(first.end_utc - first.start_utc)
    return f"Best start times for a {length} min session with {who}:"


def _proposal_text(proposal: Proposal, timetable: Timetable, rank: str) -> Iterator[RenderableType]:
    """Yield a proposal's lines: times, score, then clashes and outside delegations if any."""
    indent = len(rank)
    tz_name = timetable.conference.event.tz_name
    start = utc_to_local(proposal.start_utc, tz_name)
    end = utc_to_local(proposal.end_utc, tz_name)
    utc = _span_text(proposal.start_utc, proposal.end_utc, proposal.start_utc.date())
    times = (
        f"{day_heading(start.date())} {_span_text(start, end, start.date())} {local_label(start)}"
    )
    yield Text(f"{rank}{times}  ({utc} UTC)", style="bold")
    yield _Indented(Text(_score_text(proposal)), indent)
    if proposal.local:
        local = "; ".join(_local_text(span) for span in proposal.local)
        yield _Indented(Text(f"local: {local}"), indent)
    if proposal.clashes:
        count = len(proposal.clashes)
        what = "1 session" if count == 1 else f"{count} sessions"
        clashes = Text(
            f"overlaps {what} of these delegations: {', '.join(proposal.clashes)}", style="yellow"
        )
        yield _Indented(clashes, indent)
    if proposal.outside:
        details = "; ".join(_outside_text(outside) for outside in proposal.outside)
        yield _Indented(Text(f"outside: {details}"), indent)


def _score_text(proposal: Proposal) -> str:
    """Return `inside 2/3 · 60 min outside`."""
    total = len(proposal.delegations)
    return f"inside {proposal.inside}/{total} \u00b7 {proposal.minutes_outside} min outside"


def _local_text(span: LocalSpan) -> str:
    """Return `US Tue 02:00-03:00 EST` (an en dash): the proposal in one delegation's zone."""
    start, end = span.start_local, span.end_local
    weekday = WEEKDAYS[start.weekday()]
    when = f"{weekday} {_span_text(start, end, start.date())} {local_label(start)}"
    return f"{span.delegation} {when}"


def _outside_text(outside: OutsideHours) -> str:
    """Return `US 60 min (Tue 02:00-03:00 EST)` (an en dash), noting a non-working day."""
    start, end = outside.start_local, outside.end_local
    weekday = WEEKDAYS[start.weekday()]
    when = f"{weekday} {_span_text(start, end, start.date())} {local_label(start)}"
    day_off = ", weekend or holiday" if outside.non_working_day else ""
    return f"{outside.delegation} {outside.minutes} min ({when}{day_off})"


# ---- layout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ZoneTable:
    """Rows of cells (the heading first) in columns two spaces apart, never wrapped.

    Each line is cut with an ellipsis at the console's width, which cuts the last column first.
    """

    rows: tuple[tuple[str, ...], ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        columns = range(len(self.rows[0]) - 1)
        widths = [max(cell_len(row[column]) for row in self.rows) for column in columns]
        for number, row in enumerate(self.rows):
            cells = [
                cell + " " * (width - cell_len(cell))
                for cell, width in zip(row[:-1], widths, strict=True)
            ]
            line = Text(COLUMN_GAP.join([*cells, row[-1]]), style="" if number else "bold")
            line.truncate(options.max_width, overflow="ellipsis")
            yield line


@dataclass(frozen=True, slots=True)
class _Indented:
    """Text wrapped at the console's width less `indent`, every line indented (no end spaces)."""

    text: Text
    indent: int

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = max(options.max_width - self.indent, 20)
        for line in self.text.wrap(console, width):
            line.rstrip()
            yield Text(" " * self.indent) + line


# ---- words -------------------------------------------------------------------------------------


def _span_text(start: datetime, end: datetime, day: date) -> str:
    """Return `19:00 -1-10:00` (an en dash): a time on another date than `day` marked `+1`/`-1`.

    An end at the next midnight is `24:00` of its start's date (`words.end_clock`).
    """
    end_text, end_day = end_clock(start, end)
    start_text = f"{clock_text(start)}{_shift(start.date(), day)}"
    return f"{start_text}{EN_DASH}{end_text}{_shift(end_day, day)}"


def _shift(moment_day: date, day: date) -> str:
    """Return ` +1`/` -1` for a date after or before `day`, or ''."""
    shift = (moment_day - day).days
    return f" {shift:+d}" if shift else ""


def _days_text(first: date, last: date) -> str:
    """Return `on Tue 16 Nov 2021` or `from Sun 1 Jan 2023 to Sun 31 Dec 2023`."""
    if first == last:
        return f"on {day_heading(first)}"
    return f"from {day_heading(first)} to {day_heading(last)}"


def _offset_text(grid: ZoneGrid) -> str:
    """Return `WIB, UTC+07:00` for the event zone on the grid's day (`UTC+07:00` for `+07`)."""
    utc = f"UTC{format_offset(grid.offset)}"
    shown = readable_abbreviation(grid.abbreviation)
    return f"{shown}, {utc}" if shown else utc


def _shortened(text: str, width: int) -> str:
    """Return `text` cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"
