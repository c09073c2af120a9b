"""Scheduling: the CP-SAT placement against brute force, its diagnoses, and writing OUT.toml."""

from __future__ import annotations

import difflib
import itertools
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from unittest.mock import patch

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import script
from vconf.errors import VconfError
from vconf.scheduling import solver
from vconf.scheduling.instance import (
    Candidate,
    Instance,
    Pinned,
    Unscheduled,
    Uses,
    instant_utc,
    minutes_utc,
)
from vconf.scheduling.solver import Outcome, Reason, Status, place_sessions
from vconf.scheduling.writing import with_starts
from vconf.timezones import UTC

# -- an oracle: SPEC §2/§7/§10 read literally, over every combination of candidates ---------------

Run = tuple[str, int, int, Uses, bool]  # id, start, end, uses, placed


def _overlap(a: Run, b: Run) -> bool:
    return a[1] < b[2] and b[1] < a[2]  # half-open (SPEC §2)


def _pair_clash(a: Run, b: Run) -> bool:
    """Return whether two overlapping sessions share a person or a room."""
    shared_room = a[3].room is not None and a[3].room == b[3].room
    return _overlap(a, b) and (bool(set(a[3].people) & set(b[3].people)) or shared_room)


def _overloads(runs: Sequence[Run], limits: dict[str, int], *, of: str) -> list[list[Run]]:
    """Return the groups SPEC §7 reports: at each start instant, the running ones over the limit."""
    groups = []
    for name, limit in limits.items():
        if of == "account":
            concerned = [run for run in runs if run[3].account == name]
        else:
            concerned = [r for r in runs if name in r[3].delegations and not r[3].is_break]
        for moment in {run[1] for run in concerned}:
            running = [run for run in concerned if run[1] <= moment < run[2]]
            if len(running) > limit:
                groups.append(running)
    return groups


def _acceptable(runs: Sequence[Run], instance: Instance) -> bool:
    """Return whether no clash or overload involves a placed session (SPEC §10)."""
    for a, b in itertools.combinations(runs, 2):
        if (a[4] or b[4]) and _pair_clash(a, b):
            return False
    groups = _overloads(runs, dict(instance.capacities), of="account")
    groups += _overloads(runs, dict(instance.sizes), of="delegation")
    return not any(run[4] for group in groups for run in group)


def _brute_force(instance: Instance, sessions: Sequence[Unscheduled]) -> int | None:
    """Return the least total cost of placing `sessions` by trying every combination, or None."""
    pinned: list[Run] = [(p.id, p.start_utc, p.end_utc, p.uses, False) for p in instance.pinned]
    best = None
    for combination in itertools.product(*(s.candidates for s in sessions)):
        runs = pinned + [
            (s.id, c.start_utc, c.start_utc + s.length, s.uses, True)
            for s, c in zip(sessions, combination, strict=True)
        ]
        cost = sum(c.cost for c in combination)
        if (best is None or cost < best) and _acceptable(runs, instance):
            best = cost
    return best


def _placed_runs(instance: Instance, outcome: Outcome) -> list[Run]:
    lengths = {s.id: s for s in instance.unscheduled}
    placed: list[Run] = [
        (
            p.session,
            p.start_utc,
            p.start_utc + lengths[p.session].length,
            lengths[p.session].uses,
            True,
        )
        for p in outcome.placements
    ]
    return [(p.id, p.start_utc, p.end_utc, p.uses, False) for p in instance.pinned] + placed


# -- random small instances ------------------------------------------------------------------------

PEOPLE = ("p1", "p2", "p3")
ROOMS = (None, "r1", "r2")
ACCOUNTS = (None, "a1", "a2")
CODES = ("D1", "D2", "D3")


@st.composite
def uses(draw: st.DrawFn) -> Uses:
    return Uses(
        people=tuple(draw(st.sets(st.sampled_from(PEOPLE), max_size=2))),
        room=draw(st.sampled_from(ROOMS)),
        account=draw(st.sampled_from(ACCOUNTS)),
        delegations=tuple(draw(st.sets(st.sampled_from(CODES), max_size=2))),
        is_break=draw(st.booleans()),
    )


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    starts = st.integers(0, 8).map(lambda quarter: quarter * 30)
    unscheduled = tuple(
        Unscheduled(
            id=f"s{number}",
            length=draw(st.sampled_from((30, 60, 90))),
            uses=draw(uses()),
            candidates=tuple(
                Candidate(start, draw(st.integers(0, 20)))
                for start in sorted(draw(st.sets(starts, min_size=1, max_size=4)))
            ),
        )
        for number in range(draw(st.integers(2, 4)))
    )
    pinned = []
    for number in range(draw(st.integers(0, 3))):
        start = draw(starts)
        pinned.append(
            Pinned(f"f{number}", start, start + draw(st.sampled_from((30, 60))), draw(uses()))
        )
    return Instance(
        unscheduled=unscheduled,
        pinned=tuple(pinned),
        capacities=(("a1", draw(st.integers(1, 2))), ("a2", draw(st.integers(1, 3)))),
        sizes=(("D1", draw(st.integers(1, 2))), ("D2", draw(st.integers(1, 3)))),
    )


@settings(max_examples=150, deadline=None)
@given(instances())
def test_the_placement_is_as_cheap_as_brute_force_finds(instance: Instance) -> None:
    best = _brute_force(instance, instance.unscheduled)
    outcome = place_sessions(instance, time_limit=10)
    if best is None:
        assert outcome.status is Status.INFEASIBLE
        return
    assert outcome.status is Status.OPTIMAL
    assert (outcome.cost, outcome.bound) == (best, best)
    assert _acceptable(_placed_runs(instance, outcome), instance)
    chosen = {p.session: (p.start_utc, p.cost) for p in outcome.placements}
    assert [p.session for p in outcome.placements] == [s.id for s in instance.unscheduled]
    for session in instance.unscheduled:
        assert Candidate(*chosen[session.id]) in session.candidates


@settings(max_examples=100, deadline=None)
@given(instances(), st.sampled_from((0, 4)))
def test_the_model_alone_with_a_narrow_slack_is_as_cheap_as_brute_force(
    instance: Instance, slack: int
) -> None:
    # no greedy shortcut, and a first slack that leaves candidates out: every widening step runs
    with (
        patch.object(solver, "greedy_starts", return_value={}),
        patch.object(solver, "FIRST_SLACK", slack),
    ):
        outcome = place_sessions(instance, time_limit=10)
    best = _brute_force(instance, instance.unscheduled)
    assert outcome.status is (Status.INFEASIBLE if best is None else Status.OPTIMAL)
    if best is not None:
        assert outcome.cost == best
        assert _acceptable(_placed_runs(instance, outcome), instance)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_an_infeasible_instance_names_a_session_of_a_minimal_clashing_set(
    instance: Instance,
) -> None:
    outcome = place_sessions(instance, time_limit=10)
    if outcome.status is not Status.INFEASIBLE:
        return
    diagnosis = outcome.diagnosis
    assert diagnosis is not None
    by_id = {session.id: session for session in instance.unscheduled}
    named = by_id[diagnosis.session]
    if diagnosis.reason is Reason.BUSY:
        assert _brute_force(instance, [named]) is None
        assert diagnosis.others
        assert set(diagnosis.others) <= {pinned.id for pinned in instance.pinned}
        return
    assert diagnosis.reason is Reason.COMBINATION
    group = [named, *(by_id[other] for other in diagnosis.others)]
    order = [session.id for session in instance.unscheduled]
    assert [session.id for session in group] == sorted((s.id for s in group), key=order.index)
    assert _brute_force(instance, group) is None
    for left_out in group:
        assert _brute_force(instance, [s for s in group if s is not left_out]) is not None


# -- behaviours ---------------------------------------------------------------------------------


def _session(name: str, *starts: tuple[int, int], length: int = 60, **held: object) -> Unscheduled:
    candidates = tuple(Candidate(start, cost) for start, cost in starts)
    return Unscheduled(name, length, Uses(**held), candidates)  # type: ignore[arg-type]


def test_pinned_clashes_are_left_and_the_new_session_avoids_them() -> None:
    pinned = (
        Pinned("p-1", 0, 60, Uses(people=("ana",), room="main", account="zoom")),
        Pinned("p-2", 30, 90, Uses(people=("ana",), room="side", account="zoom")),
    )
    new = _session("new", (0, 0), (60, 0), (90, 5), people=("ana",), account="zoom")
    instance = Instance(unscheduled=(new,), pinned=pinned, capacities=(("zoom", 1),))
    outcome = place_sessions(instance)
    assert outcome.status is Status.OPTIMAL
    assert [(p.session, p.start_utc, p.cost) for p in outcome.placements] == [("new", 90, 5)]


def test_a_session_may_share_an_account_up_to_its_capacity_with_pinned_ones() -> None:
    pinned = (Pinned("p-1", 0, 60, Uses(room="main", account="zoom")),)
    first = _session("first", (0, 0), (60, 9), room="side", account="zoom")
    second = _session("second", (0, 0), (60, 9), room="third", account="zoom")
    instance = Instance(unscheduled=(first, second), pinned=pinned, capacities=(("zoom", 2),))
    outcome = place_sessions(instance)
    assert sorted(p.start_utc for p in outcome.placements) == [0, 60]
    assert outcome.cost == 9


def test_a_pinned_session_starting_while_two_run_would_overbook_their_account() -> None:
    pinned = (Pinned("p-1", 30, 90, Uses(room="main", account="zoom")),)
    first = _session("first", (0, 0), length=60, room="side", account="zoom")
    second = _session("second", (0, 0), (120, 5), length=120, room="third", account="zoom")
    instance = Instance(unscheduled=(first, second), pinned=pinned, capacities=(("zoom", 2),))
    outcome = place_sessions(instance)
    assert [(p.session, p.start_utc) for p in outcome.placements] == [("first", 0), ("second", 120)]


def test_a_break_does_not_count_for_its_delegations_size() -> None:
    pinned = (Pinned("talks", 0, 60, Uses(delegations=("VN",))),)
    coffee = _session("coffee", (0, 0), (60, 7), delegations=("VN",), is_break=True)
    talk = _session("talk", (0, 0), (60, 7), delegations=("VN",))
    instance = Instance(unscheduled=(coffee, talk), pinned=pinned, sizes=(("VN", 1),))
    outcome = place_sessions(instance)
    assert [(p.session, p.start_utc) for p in outcome.placements] == [("coffee", 0), ("talk", 60)]


def test_a_session_without_candidates_is_named_with_the_callers_reason() -> None:
    fine = _session("fine", (0, 0))
    empty = Unscheduled("night", 60, Uses(), (), why_none="the hours of VN and US never meet")
    outcome = place_sessions(Instance(unscheduled=(fine, empty)))
    assert outcome.status is Status.INFEASIBLE
    assert outcome.diagnosis is not None
    assert (outcome.diagnosis.session, outcome.diagnosis.reason) == ("night", Reason.NO_CANDIDATE)
    assert outcome.diagnosis.why() == "the hours of VN and US never meet"


def test_a_session_busy_at_every_start_names_the_sessions_in_its_way() -> None:
    pinned = (
        Pinned("morning", 0, 60, Uses(people=("ana",))),
        Pinned("noon", 60, 120, Uses(room="main")),
    )
    busy = _session("busy", (0, 0), (60, 0), people=("ana",), room="main")
    free = _session("free", (0, 0), people=("bo",))
    outcome = place_sessions(Instance(unscheduled=(free, busy), pinned=pinned))
    assert outcome.diagnosis is not None
    assert (outcome.diagnosis.session, outcome.diagnosis.reason) == ("busy", Reason.BUSY)
    assert outcome.diagnosis.others == ("morning", "noon")
    assert "morning and noon" in outcome.diagnosis.why()


def test_sessions_that_fit_alone_but_not_together_name_the_first_of_them() -> None:
    loose = _session("loose", (0, 0), (60, 0), people=("zoe",))
    a = _session("a", (0, 0), (60, 0), people=("ana",))
    b = _session("b", (0, 0), (60, 0), people=("ana",))
    c = _session("c", (0, 0), (60, 0), people=("ana",))
    outcome = place_sessions(Instance(unscheduled=(loose, a, b, c)))
    assert outcome.status is Status.INFEASIBLE
    assert outcome.diagnosis is not None
    assert outcome.diagnosis.reason is Reason.COMBINATION
    assert outcome.diagnosis.session == "a"
    assert outcome.diagnosis.why() == "it cannot be fitted together with b and c"


def test_the_same_instance_gives_the_same_placement() -> None:
    sessions = tuple(
        _session(
            f"s{n}",
            *((start, (start // 15 + n) % 4) for start in range(0, 600, 15)),
            people=(f"p{n % 3}",),
        )
        for n in range(8)
    )
    first = place_sessions(Instance(unscheduled=sessions))
    assert first.status is Status.OPTIMAL
    assert place_sessions(Instance(unscheduled=sessions)).placements == first.placements


def _bench() -> ModuleType:
    return script("benchmarks/schedule_bench.py")


@pytest.mark.parametrize("time_limit", [0.3, 3.0])
def test_out_of_time_it_keeps_the_best_placement_found_and_a_true_bound(time_limit: float) -> None:
    instance = _bench().build_instance(1)  # proven optimal at 360 in ~10 s (benchmarks/)
    outcome = place_sessions(instance, time_limit=time_limit)
    assert outcome.status in (Status.FEASIBLE, Status.UNKNOWN, Status.OPTIMAL)
    if outcome.placements:
        floor = sum(min(c.cost for c in s.candidates) for s in instance.unscheduled)
        assert floor <= outcome.bound <= 360 <= outcome.cost
        assert _acceptable(_placed_runs(instance, outcome), instance)


def test_nothing_to_place_is_trivially_optimal() -> None:
    outcome = place_sessions(Instance(unscheduled=(), pinned=(Pinned("x", 0, 60, Uses()),)))
    assert (outcome.status, outcome.placements, outcome.cost) == (Status.OPTIMAL, (), 0)


def test_without_or_tools_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ortools.sat.python", None)
    monkeypatch.delitem(sys.modules, "ortools.sat.python.cp_model", raising=False)
    with pytest.raises(VconfError, match=r"pip install 'vconf\[solve\]'"):
        place_sessions(Instance(unscheduled=(_session("s", (0, 0)),)))


# -- writing OUT.toml ----------------------------------------------------------------------------

START = datetime(2021, 11, 16, 14, 0)
FILE = """\
# ICDD 2021 -- the plan
[event]
id = "icdd"            # used in UIDs
name = "ICDD"
timezone = "Asia/Jakarta"

[[sessions]]
id = "opening"
title = "Opening"      # keep me
start = 2021-11-16T09:00:00
duration = "45m"

[[sessions]]   # unscheduled
    id = "panel"
    # a comment between keys
    title = \"\"\"Panel:
[[sessions]]
not a table\"\"\"
    duration = "1h"
    speakers = [
        "ana",  # the chair
        "bo",
    ]

[rooms.main]
name = "Main"

[[sessions]]
id = "bilateral"
duration = "30m"
within = [2021-11-16, 2021-11-17]
"""


def _added_lines(before: str, after: str) -> list[str]:
    """Return the lines `after` adds to `before`, failing if any line was changed or removed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        added += new[j1:j2] if tag == "insert" else []
    return added


def test_writing_adds_one_start_line_per_session_and_changes_nothing_else() -> None:
    later = datetime(2021, 11, 17, 8, 30)
    written = with_starts(FILE, {2: START, 3: later})
    assert _added_lines(FILE, written) == [
        "    start = 2021-11-16T14:00:00\n",
        "start = 2021-11-17T08:30:00\n",
    ]
    sessions = tomli.loads(written)["sessions"]
    assert [session.get("start") for session in sessions] == [
        datetime(2021, 11, 16, 9, 0),
        START,
        later,
    ]
    assert sessions[1]["title"] == "Panel:\n[[sessions]]\nnot a table"
    assert "# a comment between keys" in written
    assert "# keep me" in written


def test_the_start_line_follows_the_title_with_its_indentation() -> None:
    lines = with_starts(FILE, {2: START}).splitlines()
    title_end = lines.index('not a table"""')
    assert lines[title_end + 1] == "    start = 2021-11-16T14:00:00"


def test_writing_keeps_crlf_line_endings_and_a_missing_final_newline() -> None:
    text = '[[sessions]]\r\nid = "a"\r\ntitle = "A"\r\n[[sessions]]\r\nid = "b"\r\ntitle = "B"'
    written = with_starts(text, {1: START, 2: START})
    assert written == (
        '[[sessions]]\r\nid = "a"\r\ntitle = "A"\r\nstart = 2021-11-16T14:00:00\r\n'
        '[[sessions]]\r\nid = "b"\r\ntitle = "B"\r\nstart = 2021-11-16T14:00:00'
    )


def test_writing_adds_the_start_inside_inline_session_tables() -> None:
    text = (
        'sessions = [\n  { id = "a", title = "A", duration = "1h" },  # first\n'
        '  { "id" = "b", duration = "1h" },\n]\n\n[event]\nid = "e"  # sessions = [ {} ]\n'
    )
    written = with_starts(text, {1: START, 2: datetime(2021, 11, 16, 15, 15)})
    assert written.splitlines()[1:3] == [
        '  { id = "a", title = "A", start = 2021-11-16T14:00:00, duration = "1h" },  # first',
        '  { "id" = "b", start = 2021-11-16T15:15:00, duration = "1h" },',
    ]
    assert written.splitlines()[3:] == text.splitlines()[3:]
    assert tomli.loads(written)["sessions"][1]["start"] == datetime(2021, 11, 16, 15, 15)


def test_writing_reads_dates_with_a_space_and_quoted_headers() -> None:
    text = '[[ "sessions" ]]\nid = "a"\nwhen = 2021-11-16 14:00:00\ntitle = \'A # not a comment\'\n'
    written = with_starts(text, {1: START})
    assert _added_lines(text, written) == ["start = 2021-11-16T14:00:00\n"]
    assert written.splitlines()[-1] == "start = 2021-11-16T14:00:00"


def test_writing_refuses_a_session_that_has_a_start_or_does_not_exist() -> None:
    with pytest.raises(ValueError, match="already has a start"):
        with_starts(FILE, {1: START})
    with pytest.raises(ValueError, match="no sessions"):
        with_starts(FILE, {4: START})


TITLES = st.sampled_from(
    ('"Opening"', '"A # not a comment"', '"[[sessions]]"', "'literal \\\\ back'",
     '"""Two\n[[sessions]]\nlines"""', '"quote \\" inside"', "'''raw\n# no comment'''")
)  # fmt: skip


@st.composite
def session_files(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Return a file of `[[sessions]]` tables in random layouts, and each session's indentation."""
    parts = ['[event]\nid = "e"\n']
    indents = []
    for number in range(draw(st.integers(1, 4))):
        indent = draw(st.sampled_from(("", "  ", "\t")))
        lines = [f'id = "s{number}"', f"title = {draw(TITLES)}", 'duration = "1h"']
        lines = draw(st.permutations(lines))
        if draw(st.booleans()):
            lines.insert(draw(st.integers(0, len(lines))), "# a comment line")
        comment = draw(st.sampled_from(("", "  # trailing", "#x")))
        body = "".join(f"{indent}{line}{comment if 'id =' in line else ''}\n" for line in lines)
        parts.append(f"[[sessions]]{draw(st.sampled_from(('', '  # table')))}\n{body}")
        if draw(st.booleans()):
            parts.append(f'\n[rooms.r{number}]\nname = "Room {number}"\n')
        parts.append(draw(st.sampled_from(("", "\n", "\n# between\n"))))
        indents.append(indent)
    return "".join(parts), indents


@settings(max_examples=200, deadline=None)
@given(session_files(), st.data())
def test_writing_any_layout_only_adds_the_start_lines(
    case: tuple[str, list[str]], data: st.DataObject
) -> None:
    text, indents = case
    chosen = data.draw(st.sets(st.integers(1, len(indents)), min_size=1))
    starts = {number: datetime(2021, 11, 16, 8 + number, 15) for number in chosen}
    written = with_starts(text, starts)
    assert sorted(_added_lines(text, written)) == sorted(
        f"{indents[number - 1]}start = {start.isoformat()}\n" for number, start in starts.items()
    )
    sessions = tomli.loads(written)["sessions"]
    assert {n for n, s in enumerate(sessions, start=1) if "start" in s} == chosen
    assert all(sessions[number - 1]["start"] == start for number, start in starts.items())


def test_minutes_on_the_utc_line_round_trip_to_instants() -> None:
    instant = datetime(2021, 11, 16, 7, 45, 59, tzinfo=UTC)
    assert minutes_utc(instant) == 18_947 * 1440 + 7 * 60 + 45  # 2021-11-16 is day 18947
    assert instant_utc(minutes_utc(instant)) == instant.replace(second=0)


EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.toml"))
PLAIN_START = re.compile(r"start = \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n")  # local, no comment


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_writing_back_an_examples_starts_gives_the_example_again(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    kept, starts, number = [], {}, 0
    for line in text.splitlines(keepends=True):
        number += line.startswith("[[sessions]]")
        if number and PLAIN_START.fullmatch(line):
            starts[number] = datetime.fromisoformat(line.split(" = ")[1].strip())
            continue
        kept.append(line)
    assert starts
    assert with_starts("".join(kept), starts) == text
