"""`DIR/interpretation.csv`: the interpretation plan, one row per session and language pair."""

from __future__ import annotations

import csv
import io

from vconf.files import interpretation_csv_path
from vconf.interpretation import channels, plans_interpretation
from vconf.timetable import Timetable
from vconf.timezones import utc_text, utc_to_local

COLUMNS = (
    "session",
    "title",
    "start_utc",
    "end_utc",
    "timezone",
    "start_local",
    "end_local",
    "floor",
    "target",
    "interpreters",
    "emails",
)


def interpretation_files(timetable: Timetable) -> dict[str, bytes]:
    """Return `{interpretation.csv: bytes}`, or nothing when the file declares no interpreter.

    Rows by session start then id, targets as written; local times in the event zone; names
    and emails of one channel's interpreters joined by "; " in the order written. UTF-8, CRLF
    line ends (RFC 4180), as spreadsheets and platforms' bulk imports read it.
    """
    if not plans_interpretation(timetable):
        return {}
    tz_name = timetable.conference.event.tz_name
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for channel in channels(timetable):
        slot = channel.slot
        writer.writerow(
            (
                slot.id,
                slot.session.title,
                utc_text(slot.start_utc),
                utc_text(slot.end_utc),
                tz_name,
                utc_to_local(slot.start_utc, tz_name).isoformat(),
                utc_to_local(slot.end_utc, tz_name).isoformat(),
                channel.floor,
                channel.target,
                "; ".join(person.name for person in channel.interpreters),
                "; ".join(person.email for person in channel.interpreters if person.email),
            )
        )
    return {interpretation_csv_path(): out.getvalue().encode("utf-8")}
