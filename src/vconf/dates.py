"""Dates as every output writes them in English: `Tue 16 Nov 2021`, the same in every locale.

Shared by the agendas (`render.words`) and the .ics descriptions (`export.description`), which
sit side by side in layer 4 and so cannot import each other.
"""

from __future__ import annotations

from datetime import date

from vconf.model import WEEKDAYS

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_heading(day: date) -> str:
    """Return `Tue 16 Nov 2021`; fixed English names, since strftime's follow the locale."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
