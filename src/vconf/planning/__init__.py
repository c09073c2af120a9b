"""The zone grid of `vconf zones` and the start times `vconf slots` proposes (SPEC §3).

Local time is integer arithmetic here. Each zone's UTC offsets over the days asked about are read
once from `timezones` (its clock changes), so the wall time of an instant is `seconds + offset`,
and the instants a delegation is inside its hours on a working day are a sorted list of UTC
intervals. Scoring a week of quarter hours for 250 delegations is then a few hundred thousand
bisections and additions instead of as many pytz conversions.

Times are epoch seconds (`int`) inside this module and aware datetimes in what it returns.
"""

from vconf.planning.grid import CellState, ClockChangeRow, ZoneGrid, ZoneRow, build_zone_grid
from vconf.planning.proposals import LocalSpan, OutsideHours, Proposal, propose_slots

__all__ = [
    "CellState",
    "ClockChangeRow",
    "LocalSpan",
    "OutsideHours",
    "Proposal",
    "ZoneGrid",
    "ZoneRow",
    "build_zone_grid",
    "propose_slots",
]
