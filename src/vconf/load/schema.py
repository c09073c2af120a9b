"""The schema: which keys each table may hold and how each is read, and the one table reader.

Every table is read by one function, `read_table`, from a `{key: (reader, required)}` table; a
key the file leaves out takes the model's default (model.py holds every default). Each mistake
is noted in the Report with where it sits, and reading goes on to the next key.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any

from vconf.errors import VconfError
from vconf.load.places import Where
from vconf.load.report import Made, Report
from vconf.load.values import (
    ID_PATTERN,
    buffer_value,
    codes_value,
    count_value,
    date_value,
    dates_value,
    datetime_value,
    describe,
    domain_value,
    duration_value,
    email_value,
    hours_value,
    id_value,
    ids_value,
    interprets_value,
    kind_value,
    line_value,
    text_value,
    url_value,
    visibility_value,
    weekend_value,
    within_value,
    zone_reader,
)
from vconf.model import Contact

Field = tuple[Callable[[Any], Any], bool]  # the reader of a key's value, and whether it is required

TOP = ("event", "delegations", "people", "accounts", "rooms", "sessions")
ORGANIZER: dict[str, Field] = {"name": (line_value, True), "email": (email_value, False)}


def _zone(value: Any) -> str:
    return zone_reader(())(value)


def _organizer_value(value: Any) -> Contact:
    """Return the organizer (a table within [event]: its first mistake stands for it)."""
    values, _ = read_table(value, ORGANIZER, where="organizer", report=Report(strict=True))
    return Contact(**values)


EVENT: dict[str, Field] = {
    "id": (id_value, True),
    "name": (line_value, True),
    "timezone": (_zone, True),
    "start": (date_value, False),
    "end": (date_value, False),
    "organizer": (_organizer_value, False),
    "uid_domain": (domain_value, False),
    "hours": (hours_value, False),
    "buffer": (buffer_value, False),
    "host": (id_value, False),
    "language": (id_value, False),
}
DELEGATION: dict[str, Field] = {
    "name": (line_value, True),
    "timezone": (_zone, True),
    "hours": (hours_value, False),
    "weekend": (weekend_value, False),
    "holidays": (dates_value, False),
    "email": (email_value, False),
    "size": (count_value, False),
    "language": (id_value, False),
}
PERSON: dict[str, Field] = {
    "name": (line_value, True),
    "delegation": (id_value, False),
    "email": (email_value, False),
    "interprets": (interprets_value, False),
}
ACCOUNT: dict[str, Field] = {"name": (line_value, True), "concurrent": (count_value, False)}
ROOM: dict[str, Field] = {
    "name": (line_value, True),
    "url": (url_value, False),
    "account": (id_value, False),
}
SESSION: dict[str, Field] = {
    "id": (id_value, True),
    "title": (line_value, True),
    "kind": (kind_value, False),
    "start": (datetime_value, False),  # without it, the session is unscheduled (SPEC §10)
    "within": (within_value, False),
    "duration": (duration_value, False),
    "end": (datetime_value, False),
    "room": (id_value, False),
    "delegations": (codes_value, False),
    "speakers": (ids_value, False),
    "moderators": (ids_value, False),
    "attendees": (ids_value, False),
    "languages": (ids_value, False),
    "interpreters": (ids_value, False),
    "visibility": (visibility_value, False),
    "description": (text_value, False),
    "timezone": (_zone, False),
}


class Table:
    """A table being read: the key path that names it, where it sits and its rank in file order.

    A session's name (`sessions[3] (panel-2)`) is made only when one of its errors is reported.
    """

    __slots__ = ("_label", "order", "raw", "where")

    def __init__(
        self, label: tuple[str, ...] | None, where: Where, order: tuple[int, int], raw: Any
    ):
        self._label = label
        self.where = where
        self.order = order
        self.raw = raw

    def label(self) -> tuple[str, ...]:
        """Return the key path that names the table in a message."""
        if self._label is not None:
            return self._label
        number, raw = self.where[1], self.raw
        label = f"sessions[{number}]"
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("id"), str)
            and ID_PATTERN.fullmatch(raw["id"])
        ):
            label += f" ({raw['id']})"
        return (label,)

    def note(self, report: Report, error: Made, key: str | None = None) -> None:
        """Report an error of this table, placed at its `key` (None: the table itself).

        `error` may be a function that makes it, called only if the error is shown.
        """
        rank = -1
        if key is not None and isinstance(self.raw, dict):
            rank = next((n for n, name in enumerate(self.raw) if name == key), len(self.raw))
        where = self.where if key is None else (*self.where, key)

        def named() -> VconfError:
            made = error if isinstance(error, VconfError) else error()
            return made.within(*self.label())

        report.add(named, order=(*self.order, rank), where=where)


NOWHERE = Table((), (), (0, 0), None)


def read_table(
    raw: Any,
    fields: Mapping[str, Field],
    *,
    where: str,
    report: Report,
    table: Table = NOWHERE,
) -> tuple[dict[str, Any], bool]:
    """Return the values read by key, each by its field, and whether the whole table was right.

    Every mistake (not a table, an unknown key, a wrong value, a missing key) goes to `report`.
    """
    if not isinstance(raw, dict):
        table.note(report, VconfError(f"expected a table, got {describe(raw)}"))
        return {}, False
    values = {}
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            table.note(report, partial(unknown_key, key, fields, where=where), key)
            continue
        try:
            values[key] = field[0](value)
        except VconfError as error:
            table.note(report, error.within(key), key)
    right = len(values) == len(raw)
    for key, (_, required) in fields.items():
        if required and key not in raw:
            table.note(report, VconfError(f"missing required key {key!r}"))
            right = False
    return values, right


def unknown_key(key: str, fields: Collection[str], *, where: str) -> VconfError:
    """Return the error of a key the table may not hold, with the nearest it may."""
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(fields)}"
    return VconfError(f"unknown key in {where}; {hint}").within(key)


def with_zones(zones: Collection[str]) -> dict[str, dict[str, Field]]:
    """Return the fields of each section whose time zones suggest `zones` (the file's) first."""
    sections = {"event": EVENT, "delegations": DELEGATION, "people": PERSON, "rooms": ROOM}
    sections["accounts"] = ACCOUNT
    sections["sessions"] = SESSION
    timezone = zone_reader(zones)
    return {
        name: {
            key: (timezone, field[1]) if key == "timezone" else field
            for key, field in fields.items()
        }
        for name, fields in sections.items()
    }
