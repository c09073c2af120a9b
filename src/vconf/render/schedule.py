"""`vconf schedule`'s report as text and JSON: each placement in every delegation's zone (§10).

Plain strings, no rich: the report is a list a planner reads or a script parses.
"""

from __future__ import annotations

import json
from typing import Any

from vconf.scheduling.schedule import Placed, Schedule
from vconf.timezones import zone_label


def schedule_as_text(found: Schedule, output: str) -> str:
    """Return the placements, each with its local times per delegation, then the warnings left."""
    lines = [_summary(found, output), ""]
    for placed in found.placements:
        lines.extend(_placement_lines(placed))
    if found.problems:
        lines.append(f"Left in {output}:")
        lines.extend(
            f"  {p.severity.value:<7} {p.kind.value} · {p.subject}: {p.message}"
            for p in found.problems
        )
    else:
        lines.append(f"No problem involves a placed session in {output}.")
    return "\n".join(lines) + "\n"


def _summary(found: Schedule, output: str) -> str:
    count = len(found.placements)
    sessions = "1 session" if count == 1 else f"{count} sessions"
    proof = (
        "proven optimal"
        if found.is_optimal
        else f"best found in the time limit, at most {found.cost - found.bound} min from optimal"
    )
    return (
        f"Placed {sessions} in {output}: {found.cost} min outside hours in all ({proof}, "
        f"{found.seconds:.1f} s)."
    )


def _placement_lines(placed: Placed) -> list[str]:
    lines = [f"{placed.session}  {placed.title}", f"  start = {placed.start}  ({placed.tz_name})"]
    labels = [zone_label(local.abbreviation, local.offset) for local in placed.times]
    width = max(map(len, labels), default=0)
    for local, label in zip(placed.times, labels, strict=True):
        outside = f"  {local.minutes_outside} min outside hours" if local.minutes_outside else ""
        when = f"{local.start}-{local.end} {label:<{width}}"
        lines.append(f"  {local.code:<6} {when} {local.tz_name}{outside}")
    lines.append("")
    return lines


def schedule_as_json(found: Schedule, output: str) -> str:
    """Return the `vconf schedule --format json` document: placements in file order, problems."""
    document: dict[str, Any] = {
        "output": output,
        "status": found.status.value,
        "optimal": found.is_optimal,
        "minutes_outside_hours": found.cost,
        "bound": found.bound,
        "seconds": round(found.seconds, 3),
        "placements": [_placement(placed) for placed in found.placements],
        "problems": [
            {
                "kind": p.kind.value,
                "severity": p.severity.value,
                "subject": p.subject,
                "sessions": list(p.sessions),
                "message": p.message,
            }
            for p in found.problems
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _placement(placed: Placed) -> dict[str, Any]:
    return {
        "session": placed.session,
        "title": placed.title,
        "start": placed.start,
        "timezone": placed.tz_name,
        "start_utc": placed.start_utc,
        "minutes_outside_hours": placed.minutes_outside,
        "local": [
            {
                "delegation": local.code,
                "timezone": local.tz_name,
                "start": local.start,
                "end": local.end,
                "abbreviation": local.abbreviation,
                "minutes_outside_hours": local.minutes_outside,
            }
            for local in placed.times
        ],
    }
