"""Place every unscheduled session at one of its candidates, fewest minutes outside hours (§10).

The CP-SAT model: per session, one Boolean per open candidate (exactly one is true) that fixes an
interval's start; per limited resource, the intervals of the sessions holding it in a NoOverlap
(capacity 1) or a Cumulative with the pinned load as fixed demand; the objective is the sum of the
chosen candidates' costs. Candidates where the pinned sessions alone already fill a resource are
removed first (see `instance`), which is what keeps pinned-only clashes out of the model.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import ModuleType
from typing import TYPE_CHECKING

from vconf.errors import VconfError
from vconf.scheduling.instance import (
    Candidate,
    Ground,
    Instance,
    Resource,
    Unscheduled,
    greedy_starts,
    open_candidates,
    resources,
    survey,
)

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

INSTALL_HINT = "vconf schedule needs OR-Tools: pip install 'vconf[solve]'"
SEED = 2021


class Status(Enum):
    """How far the solver got."""

    OPTIMAL = "optimal"  # proven: no placement has fewer minutes outside hours
    FEASIBLE = "feasible"  # the time limit came first: best found, `bound` below it
    INFEASIBLE = "infeasible"  # proven: no placement exists; see `diagnosis`
    UNKNOWN = "unknown"  # the time limit came first with nothing found and nothing proven


class Reason(Enum):
    """Why a session cannot be placed."""

    NO_CANDIDATE = "no-candidate"  # no start at all on its days (the caller's `why_none`)
    BUSY = "busy"  # every candidate clashes with pinned sessions
    COMBINATION = "combination"  # each fits alone, not together with `others`


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The session named in `cannot place <session>: <why>` and what stands in its way.

    `others` are the pinned sessions in the way (BUSY) or the other sessions of an infeasible set
    found by removing sessions one by one while it stays infeasible (COMBINATION); input order.
    """

    session: str
    reason: Reason
    others: tuple[str, ...] = ()
    detail: str = ""

    def why(self) -> str:
        """Return the words that follow `cannot place <session>: `."""
        if self.reason is Reason.NO_CANDIDATE:
            return self.detail or "it has no possible start within its days"
        names = _listing(self.others)
        if self.reason is Reason.BUSY:
            return (
                f"at every possible start it would clash with {names}, which already have a start"
            )
        if not self.others:
            return "it cannot be fitted with the sessions that already have a start"
        return f"it cannot be fitted together with {names}"


def _listing(ids: tuple[str, ...], *, most: int = 5) -> str:
    """Return `a, b and c` (`a, b, c, d, e and 3 more` past `most`)."""
    shown = list(ids[:most])
    if len(ids) > most:
        shown.append(f"{len(ids) - most} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


@dataclass(frozen=True, slots=True)
class Placement:
    """A session's chosen start (minutes since the epoch, UTC) and its minutes outside hours."""

    session: str
    start_utc: int
    cost: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """The solver's answer: placements in input order, their total cost, and how sure it is.

    `bound` is the proven lower bound on the total cost (equal to `cost` when OPTIMAL);
    `placements` is empty unless OPTIMAL or FEASIBLE; `diagnosis` is set when INFEASIBLE.
    """

    status: Status
    placements: tuple[Placement, ...] = ()
    cost: int = 0
    bound: int = 0
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        """Return (cost - bound) / cost: 0 when proven optimal (or the cost is 0)."""
        return (self.cost - self.bound) / self.cost if self.cost else 0.0


@dataclass(frozen=True, slots=True)
class _Prepared:
    """The instance after pruning: every session's open candidates and the pinned ground."""

    sessions: tuple[Unscheduled, ...]
    options: Mapping[str, tuple[Candidate, ...]]
    ground: Ground


def place_sessions(
    instance: Instance, *, time_limit: float = 30.0, workers: int = 1, seed: int = SEED
) -> Outcome:
    """Return the cheapest placement of every unscheduled session, or why none exists.

    Deterministic for a given instance when it finishes within `time_limit` with one worker (the
    default): the search is sequential and seeded. More workers search faster, but which of two
    equally cheap placements is returned may then vary from run to run.
    """
    began = time.monotonic()
    prepared, diagnosis = _prepare(instance)
    if diagnosis is not None:
        return Outcome(Status.INFEASIBLE, diagnosis=diagnosis, seconds=time.monotonic() - began)
    if not prepared.sessions:
        return Outcome(Status.OPTIMAL, seconds=time.monotonic() - began)
    cp = _cp_model()
    model, choices = _build(cp, prepared, prepared.sessions, objective=True)
    _hint(model, choices, greedy_starts(prepared.ground, prepared.sessions, prepared.options))
    solver = _solver(cp, time_limit=time_limit, workers=workers, seed=seed)
    status = solver.solve(model)
    if status in (cp.OPTIMAL, cp.FEASIBLE):
        return _outcome(cp, solver, prepared, choices, status=status, began=began)
    if status == cp.INFEASIBLE:
        remaining = max(time_limit - (time.monotonic() - began), 1.0)
        found = _combination(cp, prepared, time_limit=remaining, seed=seed)
        return Outcome(Status.INFEASIBLE, diagnosis=found, seconds=time.monotonic() - began)
    if status == cp.UNKNOWN:
        return Outcome(Status.UNKNOWN, seconds=time.monotonic() - began)
    raise RuntimeError(f"CP-SAT rejected the model: {solver.status_name(status)}")


def _cp_model() -> ModuleType:
    """Return OR-Tools' CP-SAT module, or say how to install it."""
    try:
        from ortools.sat.python import cp_model  # an optional extra
    except ImportError as error:
        raise VconfError(INSTALL_HINT) from error
    return cp_model


def _prepare(instance: Instance) -> tuple[_Prepared, Diagnosis | None]:
    """Return the pruned instance, and the first session (input order) that has no open start."""
    ground = survey(instance)
    options: dict[str, tuple[Candidate, ...]] = {}
    for session in instance.unscheduled:
        if not session.candidates:
            diagnosis = Diagnosis(session.id, Reason.NO_CANDIDATE, detail=session.why_none)
            return _Prepared((), {}, ground), diagnosis
        kept, blocking = open_candidates(ground, session)
        if not kept:
            order = {pinned.id: index for index, pinned in enumerate(instance.pinned)}
            others = tuple(sorted(blocking, key=lambda name: (order.get(name, 0), name)))
            return _Prepared((), {}, ground), Diagnosis(session.id, Reason.BUSY, others=others)
        options[session.id] = kept
    return _Prepared(instance.unscheduled, options, ground), None


Choices = dict[str, list[tuple["cp_model.IntVar", Candidate]]]


def _build(
    cp: ModuleType, prepared: _Prepared, sessions: tuple[Unscheduled, ...], *, objective: bool
) -> tuple[cp_model.CpModel, Choices]:
    """Return the CP-SAT model of placing `sessions`, and each session's (literal, candidate)s."""
    model: cp_model.CpModel = cp.CpModel()
    choices: Choices = {}
    intervals: dict[Resource, list[cp_model.IntervalVar]] = defaultdict(list)
    for number, session in enumerate(sessions):
        options = prepared.options[session.id]
        start = model.new_int_var_from_domain(
            cp.Domain.from_values([c.start_utc for c in options]),
            f"start{number}",
        )
        literals = [model.new_bool_var(f"x{number}_{c.start_utc}") for c in options]
        model.add_exactly_one(literals)
        for literal, candidate in zip(literals, options, strict=True):
            model.add(start == candidate.start_utc).only_enforce_if(literal)
        interval = model.new_fixed_size_interval_var(start, session.length, f"run{number}")
        for resource in resources(session.uses, capacity=prepared.ground.capacity):
            intervals[resource].append(interval)
        choices[session.id] = list(zip(literals, options, strict=True))
    for resource, held in sorted(intervals.items()):
        _limit(model, prepared.ground, resource, held)
    if objective:
        model.minimize(sum(c.cost * literal for pairs in choices.values() for literal, c in pairs))
    return model, choices


def _limit(
    model: cp_model.CpModel,
    ground: Ground,
    resource: Resource,
    held: list[cp_model.IntervalVar],
) -> None:
    """Keep the sessions holding `resource` within its capacity, the pinned load included."""
    capacity = ground.capacity[resource]
    loads = ground.partial.get(resource, ())
    if len(held) + max((load.count for load in loads), default=0) <= capacity:
        return  # they can never be too many at once
    if capacity == 1:
        model.add_no_overlap(held)  # a pinned load below 1 is none: nothing fixed to add
        return
    fixed = [
        model.new_fixed_size_interval_var(load.start, load.end - load.start, "pinned")
        for load in loads
    ]
    demands = [1] * len(held) + [load.count for load in loads]
    model.add_cumulative([*held, *fixed], demands, capacity)


def _hint(model: cp_model.CpModel, choices: Choices, starts: Mapping[str, int]) -> None:
    """Hint the solver with a greedy placement of the sessions it fitted."""
    for session, pairs in choices.items():
        if session in starts:
            for literal, candidate in pairs:
                model.add_hint(literal, candidate.start_utc == starts[session])


def _solver(cp: ModuleType, *, time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    """Return a seeded CP-SAT solver with the given time limit and number of workers."""
    solver: cp_model.CpSolver = cp.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def _outcome(
    cp: ModuleType,
    solver: cp_model.CpSolver,
    prepared: _Prepared,
    choices: Choices,
    *,
    status: object,
    began: float,
) -> Outcome:
    """Return the placements the solver found, with their cost and the proven bound."""
    placements = []
    for session in prepared.sessions:
        chosen = next(c for literal, c in choices[session.id] if solver.boolean_value(literal))
        placements.append(Placement(session.id, chosen.start_utc, chosen.cost))
    cost = sum(placement.cost for placement in placements)
    proven = status == cp.OPTIMAL
    bound = cost if proven else min(cost, math.ceil(solver.best_objective_bound - 1e-6))
    return Outcome(
        Status.OPTIMAL if proven else Status.FEASIBLE,
        placements=tuple(placements),
        cost=cost,
        bound=bound,
        seconds=time.monotonic() - began,
    )


def _combination(cp: ModuleType, prepared: _Prepared, *, time_limit: float, seed: int) -> Diagnosis:
    """Return a small set of sessions that cannot all be placed, named by its first session.

    Each session in turn is left out; when the rest still cannot be placed it stays out. A check
    that runs out of time keeps its session, so the set stays infeasible, only less small.
    """
    deadline = time.monotonic() + time_limit
    kept = list(prepared.sessions)
    for session in prepared.sessions:
        rest = tuple(other for other in kept if other is not session)
        remaining = deadline - time.monotonic()
        if (
            rest
            and remaining > 0
            and _infeasible(cp, prepared, rest, time_limit=remaining, seed=seed)
        ):
            kept = list(rest)
    first, *others = kept
    return Diagnosis(first.id, Reason.COMBINATION, others=tuple(other.id for other in others))


def _infeasible(
    cp: ModuleType,
    prepared: _Prepared,
    sessions: tuple[Unscheduled, ...],
    *,
    time_limit: float,
    seed: int,
) -> bool:
    """Return whether CP-SAT proves within `time_limit` that `sessions` cannot all be placed."""
    model, _ = _build(cp, prepared, sessions, objective=False)
    solver = _solver(cp, time_limit=time_limit, workers=1, seed=seed)
    return bool(solver.solve(model) == cp.INFEASIBLE)
