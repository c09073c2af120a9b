"""`vconf schedule` as one call: build the instance, place, write OUT.toml's text, check it (§10).

`schedule` needs OR-Tools (through `solver`); it returns a `Schedule` the renderers print and
the command writes, never printing or writing itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vconf.checks import Problem, find_problems
from vconf.days import minutes_outside_hours
from vconf.load import conference_from_text
from vconf.scheduling.candidates import build_instance, delegations_of, local_start
from vconf.scheduling.solver import Outcome, Status, place_sessions
from vconf.scheduling.writing import with_starts
from vconf.timetable import Timetable, build_timetable
from vconf.timezones import zone_clock


@dataclass(frozen=True, slots=True)
class LocalTime:
    """A placed session's times in one delegation's zone, and its minutes outside there."""

    code: str
    tz_name: str
    start: str  # `2020-10-21 14:00`
    end: str  # `15:00`, or `2020-10-22 00:30` on another date
    abbreviation: str  # as tzdata has it: `+07`, `CST`
    offset: timedelta  # the UTC offset at the start
    minutes_outside: int


@dataclass(frozen=True, slots=True)
class Placed:
    """One placement: the session, the start written to OUT.toml, its times per delegation."""

    session: str
    title: str
    start: str  # the TOML local date-time written, in `tz_name`
    tz_name: str
    start_utc: str
    minutes_outside: int
    times: tuple[LocalTime, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    """What `vconf schedule` found: placements in file order, the warnings left, OUT's text.

    `cannot` is the `<session id>: <why>` of `cannot place …` when nothing could be placed
    (then `text` is empty); `problems` are OUT.toml's problems that involve a placed session.
    """

    status: Status
    placements: tuple[Placed, ...] = ()
    cost: int = 0
    bound: int = 0
    seconds: float = 0.0
    problems: tuple[Problem, ...] = ()
    text: str = ""
    cannot: str = ""

    @property
    def is_optimal(self) -> bool:
        """Whether no placement has fewer minutes outside hours (proven)."""
        return self.status is Status.OPTIMAL


def schedule(timetable: Timetable, text: str, *, time_limit: float = 30.0) -> Schedule:
    """Return the cheapest placement of the timetable's unscheduled sessions and OUT's text.

    `text` is FILE's source, the timetable's; the placement is written into a copy of it.
    """
    outcome = place_sessions(build_instance(timetable), time_limit=time_limit)
    if not outcome.placements and timetable.unscheduled:
        return Schedule(outcome.status, seconds=outcome.seconds, cannot=_cannot(timetable, outcome))
    sessions = {session.id: session for session in timetable.unscheduled}
    starts = {
        sessions[p.session].number: local_start(sessions[p.session], p.start_utc)
        for p in outcome.placements
    }
    written = with_starts(text, starts)
    placed = build_timetable(conference_from_text(written))
    ids = set(sessions)
    problems = tuple(p for p in find_problems(placed) if ids & set(p.sessions))
    order = {session.id: index for index, session in enumerate(timetable.unscheduled)}
    placements = sorted(outcome.placements, key=lambda p: order[p.session])
    return Schedule(
        outcome.status,
        placements=tuple(_placed(placed, p.session) for p in placements),
        cost=outcome.cost,
        bound=outcome.bound,
        seconds=outcome.seconds,
        problems=problems,
        text=written,
    )


def _cannot(timetable: Timetable, outcome: Outcome) -> str:
    if outcome.diagnosis is not None:
        return f"{outcome.diagnosis.session}: {outcome.diagnosis.why()}"
    first = timetable.unscheduled[0].id
    return f"{first}: no placement was found within the time limit (try a longer --time-limit)"


def _placed(timetable: Timetable, session_id: str) -> Placed:
    slot = timetable.by_id[session_id]
    assert slot.session.start is not None  # it was just placed
    times = tuple(
        _local_time(timetable, code, start_utc=slot.start_utc, end_utc=slot.end_utc)
        for code in delegations_of(timetable, slot.session)
    )
    return Placed(
        session=session_id,
        title=slot.session.title,
        start=slot.session.start.isoformat(timespec="seconds"),
        tz_name=slot.session.tz_name,
        start_utc=slot.start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        minutes_outside=sum(local.minutes_outside for local in times),
        times=times,
    )


def _local_time(
    timetable: Timetable, code: str, *, start_utc: datetime, end_utc: datetime
) -> LocalTime:
    delegation = timetable.delegations[code]
    clock = zone_clock(delegation.tz_name)
    start, abbreviation = clock.local_wall(start_utc)
    end, _ = clock.local_wall(end_utc)
    return LocalTime(
        code=code,
        tz_name=delegation.tz_name,
        start=f"{start:%Y-%m-%d %H:%M}",
        end=f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}",
        abbreviation=abbreviation,
        offset=start - start_utc.replace(tzinfo=None),  # the wall is the instant + offset
        minutes_outside=minutes_outside_hours(delegation, start_utc=start_utc, end_utc=end_utc),
    )
