"""Place every unscheduled session at one of its candidates, fewest minutes outside hours (§10).

The CP-SAT model: per session, one Boolean per open candidate (exactly one is true) that fixes an
interval's start; per limited resource, the intervals of the sessions holding it in a NoOverlap
(capacity 1) or a Cumulative with the pinned load as fixed demand; the objective is the sum of the
chosen candidates' costs. Candidates where the pinned sessions alone already fill a resource are
removed first (see `instance`), which is what keeps pinned-only clashes out of the model.
"""

from __future__ import annotations

import dataclasses
import math
import time
from bisect import bisect_left, bisect_right
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
    search = _Search(cp, prepared, deadline=began + time_limit, workers=workers, seed=seed)
    outcome = search.run()
    return dataclasses.replace(outcome, seconds=time.monotonic() - began)


class _Search:
    """Solve with only the candidates within `slack` minutes of each session's cheapest, widening.

    Exact: the cheapest candidates sum to `floor`, so a placement that uses a candidate beyond the
    slack costs more than `floor + slack`; a restricted optimum within `floor + slack` is therefore
    the optimum. A restricted optimum above it becomes the next slack, which then proves it. Most
    candidates of a session spanning many zones cost hours more than its best few, so the models
    solved are a fraction of the whole.
    """

    def __init__(
        self, cp: ModuleType, prepared: _Prepared, *, deadline: float, workers: int, seed: int
    ) -> None:
        self.cp, self.prepared, self.deadline = cp, prepared, deadline
        self.workers, self.seed = workers, seed
        self.cheapest = {name: min(c.cost for c in cs) for name, cs in prepared.options.items()}
        self.floor = sum(self.cheapest.values())
        self.widest = max(
            max(c.cost for c in cs) - self.cheapest[name] for name, cs in prepared.options.items()
        )
        self.hint = greedy_starts(prepared.ground, prepared.sessions, prepared.options)

    def run(self) -> Outcome:
        """Return the outcome, widening the slack until the restricted optimum proves itself."""
        best = self._greedy_outcome()
        lower = self.floor  # a proven lower bound on every placement's cost
        if best is not None and best.cost == lower:
            return best  # the greedy pass reached the lower bound: nothing can be cheaper
        slack = min(best.cost - self.floor if best else FIRST_SLACK, FIRST_SLACK)
        while True:
            outcome = self._solve(slack)
            beyond = self.floor + slack + 1  # the least a placement outside the slack can cost
            if outcome.placements and (best is None or outcome.cost < best.cost):
                best = outcome
                self.hint = {p.session: p.start_utc for p in outcome.placements}
            if outcome.status is Status.INFEASIBLE:
                lower = max(lower, beyond)
                if slack >= self.widest:
                    return self._infeasible()
                slack = min(max(slack * 4, slack + 1, FIRST_SLACK), self.widest)
                continue
            if outcome.status is Status.OPTIMAL and outcome.cost < beyond:
                return outcome
            if outcome.status is Status.OPTIMAL:
                lower = max(lower, beyond)
                slack = outcome.cost - self.floor
                continue
            if outcome.status is Status.FEASIBLE:
                lower = max(lower, min(outcome.bound, beyond))
            if best is None:
                return Outcome(Status.UNKNOWN)
            return dataclasses.replace(best, status=Status.FEASIBLE, bound=min(lower, best.cost))

    def _solve(self, slack: int) -> Outcome:
        """Return the restricted problem's outcome (its bound is the restricted one)."""
        options = {
            name: tuple(c for c in cs if c.cost <= self.cheapest[name] + slack)
            for name, cs in self.prepared.options.items()
        }
        restricted = dataclasses.replace(self.prepared, options=options)
        model, choices = _build(self.cp, restricted, restricted.sessions, objective=True)
        _hint(model, choices, self.hint)
        solver = _solver(
            self.cp, time_limit=self._remaining(), workers=self.workers, seed=self.seed
        )
        status = solver.solve(model)
        if status in (self.cp.OPTIMAL, self.cp.FEASIBLE):
            return _outcome(self.cp, solver, restricted, choices, status=status)
        if status == self.cp.INFEASIBLE:
            return Outcome(Status.INFEASIBLE)
        if status == self.cp.UNKNOWN:
            return Outcome(Status.UNKNOWN)
        raise RuntimeError(f"CP-SAT rejected the model: {solver.status_name(status)}")

    def _greedy_outcome(self) -> Outcome | None:
        """Return the greedy placement when it placed every session."""
        if len(self.hint) < len(self.prepared.sessions):
            return None
        placements = tuple(
            Placement(s.id, self.hint[s.id], self._cost(s.id, self.hint[s.id]))
            for s in self.prepared.sessions
        )
        cost = sum(p.cost for p in placements)
        return Outcome(Status.OPTIMAL, placements=placements, cost=cost, bound=cost)

    def _cost(self, name: str, start: int) -> int:
        return next(c.cost for c in self.prepared.options[name] if c.start_utc == start)

    def _infeasible(self) -> Outcome:
        found = _combination(
            self.cp, self.prepared, time_limit=max(self._remaining(), 1.0), seed=self.seed
        )
        return Outcome(Status.INFEASIBLE, diagnosis=found)

    def _remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.01)


FIRST_SLACK = 60


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
    runs: dict[Resource, list[_Run]] = defaultdict(list)
    for number, session in enumerate(sessions):
        options = prepared.options[session.id]
        literals = [model.new_bool_var(f"x{number}_{c.start_utc}") for c in options]
        model.add_exactly_one(literals)
        choices[session.id] = list(zip(literals, options, strict=True))
        for resource in resources(session.uses, capacity=prepared.ground.capacity):
            runs[resource].extend(
                _Run(c.start_utc, c.start_utc + session.length, number, literal)
                for literal, c in choices[session.id]
            )
    for resource in sorted(runs):
        _limit(model, prepared.ground, resource, runs[resource])
    if objective:
        model.minimize(sum(c.cost * literal for pairs in choices.values() for literal, c in pairs))
    return model, choices


@dataclass(frozen=True, slots=True)
class _Run:
    """A candidate seen from a resource: when it would hold it, whose it is, and its literal."""

    start: int
    end: int
    session: int
    literal: cp_model.IntVar


def _limit(model: cp_model.CpModel, ground: Ground, resource: Resource, runs: list[_Run]) -> None:
    """Keep the sessions holding `resource` within its capacity at every moment a load can rise.

    The time-indexed form: at each start of a candidate or of a pinned load, the chosen candidates
    running then number at most what the pinned sessions leave free. A load only rises at a start,
    so checking these moments is exact; and its LP relaxation is far stronger than NoOverlap's.
    """
    capacity = ground.capacity[resource]
    loads = ground.partial.get(resource, ())
    runs.sort(key=lambda run: (run.start, run.session))
    starts = [run.start for run in runs]
    longest = max(run.end - run.start for run in runs)
    for moment in sorted(set(starts) | {load.start for load in loads}):
        window = runs[bisect_left(starts, moment - longest + 1) : bisect_right(starts, moment)]
        active = [run.literal for run in window if moment < run.end]
        pinned = sum(load.count for load in loads if load.start <= moment < load.end)
        free = capacity - pinned
        if len({run.session for run in window if moment < run.end}) <= free:
            continue  # too few sessions can run then to overload it
        if free == 1:
            model.add_at_most_one(active)
        else:
            model.add(sum(active) <= free)


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
    if workers == 2:
        # measured on benchmarks/schedule_bench.py: the core-based search raises the bound that
        # the LP alone leaves at the cheapest-candidates floor; 8+ workers run both by default
        solver.parameters.subsolvers.extend(TWO_WORKERS)
    return solver


TWO_WORKERS = ("core", "max_lp")


def _outcome(
    cp: ModuleType,
    solver: cp_model.CpSolver,
    prepared: _Prepared,
    choices: Choices,
    *,
    status: object,
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
