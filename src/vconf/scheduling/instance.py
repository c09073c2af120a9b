"""The scheduling problem as plain records, and the pure-Python rules beneath the solver (SPEC §10).

Times are whole minutes on the UTC line (minutes since the Unix epoch, `int(instant.timestamp())
// 60`), lengths are minutes, intervals are half-open (SPEC §2). Nothing here knows the vconf model:
the caller turns sessions into records, the solver turns records into starts.

Every hard rule of SPEC §10 is one shape: a **resource** (a person, a room, an account, a
delegation) that holds at most `capacity` sessions at once — 1 for a person or a room, the
account's `concurrent`, the delegation's `size`. A session being placed must never take part in an
overload, while overloads among pinned sessions alone are left as they are. Because the count of
sessions running only rises at a start (SPEC §7 counts at starts), "a placed session is in no
overloaded group" is the same as "wherever a placed session runs, the count stays within the
capacity"; so a placed session may never run where the pinned sessions alone already fill the
resource, and elsewhere the pinned load counts like any other.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from vconf.timezones import UTC

PERSON = "person"
ROOM = "room"
ACCOUNT = "account"
DELEGATION = "delegation"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def minutes_utc(instant: datetime) -> int:
    """Return an aware instant as whole minutes since the Unix epoch (rounded down)."""
    return (instant - EPOCH) // timedelta(minutes=1)


def instant_utc(minutes: int) -> datetime:
    """Return minutes since the Unix epoch as an aware UTC datetime."""
    return EPOCH + timedelta(minutes=minutes)


Resource = tuple[str, str]
"""(kind, name): `("person", "bui-thanh-son")`, `("room", "main")`, `("account", "zoom-1")`."""


@dataclass(frozen=True, slots=True)
class Uses:
    """What a session holds while it runs: its people, its room, the room's account, delegations.

    `delegations` are all the session's delegations; those with a size limit count it, unless
    `is_break` (a break counts for its room and account only, SPEC §7).
    """

    people: tuple[str, ...] = ()
    room: str | None = None
    account: str | None = None
    delegations: tuple[str, ...] = ()
    is_break: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """One start a session may be given, and what it costs there.

    `start_utc` is in minutes since the Unix epoch; `cost` is the session's minutes outside hours
    at that start, summed over its delegations (SPEC §10), computed by the caller on the one clock.
    """

    start_utc: int
    cost: int


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """A session to place: its length in minutes, what it holds, and where it may start.

    `candidates` are every start SPEC §10 allows (quarter hours on its `within` days, no gap, no
    fold), in any order; when there are none, `why_none` says why, in words that follow
    `cannot place <id>: ` (e.g. "the hours of VN and US never meet on 2021-11-16").
    """

    id: str
    length: int
    uses: Uses
    candidates: tuple[Candidate, ...]
    why_none: str = ""


@dataclass(frozen=True, slots=True)
class Pinned:
    """A session that already has a start: it never moves, and holds its resources meanwhile."""

    id: str
    start_utc: int
    end_utc: int
    uses: Uses


@dataclass(frozen=True, slots=True)
class Instance:
    """Sessions to place, the pinned ones around them, and the limits of accounts and delegations.

    `capacities` maps account ids to `concurrent`, `sizes` delegation codes to `size`; an account
    or delegation absent from them has no limit (the caller passes every declared account, whose
    default `concurrent` is 1).
    """

    unscheduled: tuple[Unscheduled, ...]
    pinned: tuple[Pinned, ...] = ()
    capacities: tuple[tuple[str, int], ...] = ()
    sizes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Load:
    """A stretch of time during which the pinned sessions hold `count` places of one resource."""

    start: int
    end: int
    count: int
    sessions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ground:
    """What the pinned sessions leave of every resource: each capacity, full stretches, loads."""

    capacity: Mapping[Resource, int]
    full: Mapping[Resource, tuple[Load, ...]] = field(default_factory=dict)
    partial: Mapping[Resource, tuple[Load, ...]] = field(default_factory=dict)


def resources(uses: Uses, *, capacity: Mapping[Resource, int]) -> tuple[Resource, ...]:
    """Return the limited resources a session holds, sorted."""
    held: set[Resource] = {(PERSON, person) for person in uses.people}
    if uses.room is not None:
        held.add((ROOM, uses.room))
    if uses.account is not None:
        held.add((ACCOUNT, uses.account))
    if not uses.is_break:
        held.update((DELEGATION, code) for code in uses.delegations)
    return tuple(sorted(resource for resource in held if resource in capacity))


def capacities(instance: Instance) -> dict[Resource, int]:
    """Return the capacity of every resource any session holds (people and rooms hold one)."""
    capacity: dict[Resource, int] = {}
    for uses in _all_uses(instance):
        capacity.update({(PERSON, person): 1 for person in uses.people})
        if uses.room is not None:
            capacity[(ROOM, uses.room)] = 1
    capacity.update({(ACCOUNT, name): limit for name, limit in instance.capacities})
    capacity.update({(DELEGATION, code): limit for code, limit in instance.sizes})
    return capacity


def _all_uses(instance: Instance) -> Iterable[Uses]:
    yield from (session.uses for session in instance.unscheduled)
    yield from (session.uses for session in instance.pinned)


def survey(instance: Instance) -> Ground:
    """Return, per resource, the stretches the pinned sessions fill and those they partly load."""
    capacity = capacities(instance)
    held: dict[Resource, list[Pinned]] = defaultdict(list)
    for session in instance.pinned:
        if session.end_utc > session.start_utc:
            for resource in resources(session.uses, capacity=capacity):
                held[resource].append(session)
    full: dict[Resource, tuple[Load, ...]] = {}
    partial: dict[Resource, tuple[Load, ...]] = {}
    for resource in sorted(held):
        loads = _profile(held[resource])
        full[resource] = tuple(load for load in loads if load.count >= capacity[resource])
        partial[resource] = tuple(load for load in loads if load.count < capacity[resource])
    return Ground(capacity=capacity, full=full, partial=partial)


def _profile(sessions: list[Pinned]) -> list[Load]:
    """Return the stretches of constant count of running sessions, in time order, none empty."""
    changes: dict[int, list[tuple[bool, str]]] = defaultdict(list)
    for session in sessions:
        changes[session.start_utc].append((True, session.id))
        changes[session.end_utc].append((False, session.id))
    moments = sorted(changes)
    running: set[str] = set()
    loads: list[Load] = []
    for start, end in pairwise(moments):
        for starts, name in changes[start]:
            (running.add if starts else running.discard)(name)
        if running:
            loads.append(
                Load(start=start, end=end, count=len(running), sessions=tuple(sorted(running)))
            )
    return loads


def blockers(
    ground: Ground, session: Unscheduled, start: int, *, held: tuple[Resource, ...]
) -> tuple[str, ...]:
    """Return the pinned sessions that fill a resource the session needs at `start`."""
    found: set[str] = set()
    end = start + session.length
    for resource in held:
        for load in _overlapping(ground.full.get(resource, ()), start, end):
            found.update(load.sessions)
    return tuple(sorted(found))


def _overlapping(loads: tuple[Load, ...], start: int, end: int) -> Iterable[Load]:
    """Yield the loads (sorted, disjoint) that overlap [start, end)."""
    index = bisect_right([load.end for load in loads], start)
    while index < len(loads) and loads[index].start < end:
        yield loads[index]
        index += 1


def open_candidates(
    ground: Ground, session: Unscheduled
) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
    """Return the candidates the pinned sessions leave open, and every pinned one in the way."""
    held = resources(session.uses, capacity=ground.capacity)
    kept: list[Candidate] = []
    blocking: set[str] = set()
    for candidate in sorted(set(session.candidates), key=lambda c: (c.start_utc, c.cost)):
        if kept and kept[-1].start_utc == candidate.start_utc:
            continue  # the same start listed twice: its cheaper cost stands
        found = blockers(ground, session, candidate.start_utc, held=held)
        blocking.update(found)
        if not found:
            kept.append(candidate)
    return tuple(kept), tuple(sorted(blocking))


def greedy_starts(
    ground: Ground, sessions: tuple[Unscheduled, ...], options: Mapping[str, tuple[Candidate, ...]]
) -> dict[str, int]:
    """Return a start for as many sessions as a cheapest-first greedy pass can fit (a solver hint).

    The sessions with the fewest cheapest starts go first; each takes its cheapest start that fits
    the pinned load and the sessions placed before it. Then each session in turn moves to a
    cheaper start that fits, while one does (a few rounds at most).
    """
    placed: dict[Resource, list[tuple[int, int, int]]] = defaultdict(list)
    for resource, loads in ground.partial.items():
        placed[resource].extend((load.start, load.end, load.count) for load in loads)
    chosen: dict[str, Candidate] = {}
    for index in sorted(range(len(sessions)), key=lambda i: (_choice(options[sessions[i].id]), i)):
        session = sessions[index]
        found = _cheapest_fit(ground, placed, session, options[session.id])
        if found is not None:
            _occupy(ground, placed, session, found, count=1)
            chosen[session.id] = found
    for _ in range(IMPROVING_ROUNDS):
        moved = False
        for session in sessions:
            if session.id in chosen:
                current = chosen[session.id]
                _occupy(ground, placed, session, current, count=-1)
                found = _cheapest_fit(ground, placed, session, options[session.id])
                better = found is not None and found.cost < current.cost
                chosen[session.id] = found if better and found is not None else current
                _occupy(ground, placed, session, chosen[session.id], count=1)
                moved = moved or better
        if not moved:
            break
    return {name: candidate.start_utc for name, candidate in chosen.items()}


IMPROVING_ROUNDS = 4


def _choice(candidates: tuple[Candidate, ...]) -> int:
    """Return how many of the candidates share the cheapest cost: few means place it early."""
    cheapest = min(candidate.cost for candidate in candidates)
    return sum(candidate.cost == cheapest for candidate in candidates)


def _cheapest_fit(
    ground: Ground,
    placed: Mapping[Resource, list[tuple[int, int, int]]],
    session: Unscheduled,
    candidates: tuple[Candidate, ...],
) -> Candidate | None:
    """Return the session's cheapest (then earliest) candidate that fits what is placed."""
    held = resources(session.uses, capacity=ground.capacity)
    for candidate in sorted(candidates, key=lambda c: (c.cost, c.start_utc)):
        span = (candidate.start_utc, candidate.start_utc + session.length)
        if all(_peak(placed.get(r, []), *span) < ground.capacity[r] for r in held):
            return candidate
    return None


def _occupy(
    ground: Ground,
    placed: dict[Resource, list[tuple[int, int, int]]],
    session: Unscheduled,
    candidate: Candidate,
    *,
    count: int,
) -> None:
    """Add (count 1) or take back (count -1) the session's hold on its resources at `candidate`."""
    span = (candidate.start_utc, candidate.start_utc + session.length, 1)
    for resource in resources(session.uses, capacity=ground.capacity):
        if count > 0:
            placed[resource].append(span)
        else:
            placed[resource].remove(span)


def _peak(occupied: list[tuple[int, int, int]], start: int, end: int) -> int:
    """Return the largest load in [start, end) of `(start, end, count)` occupations."""
    moments = {start} | {s for s, _, _ in occupied if start < s < end}
    return max(
        (sum(count for s, e, count in occupied if s <= moment < e) for moment in moments),
        default=0,
    )
