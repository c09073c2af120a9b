"""What an output directory holds, for the tests of interrupted and repeated runs."""

from __future__ import annotations

import os
from pathlib import Path

import icalendar


def tree(out: Path) -> dict[str, bytes]:
    """Every regular file under DIR but its `.vconf/` state, by relative path; no link followed."""
    found = {}
    for folder, folders, names in os.walk(out):
        folders[:] = [name for name in folders if name != ".vconf"]
        for name in names:
            path = Path(folder, name)
            if not path.is_symlink() and path.is_file():
                found[path.relative_to(out).as_posix()] = path.read_bytes()
    return dict(sorted(found.items()))


def assert_whole(
    out: Path, old: dict[str, bytes], new: dict[str, bytes], *, besides: tuple[str, ...] = ()
) -> None:
    """Every file in DIR is the old version or the new one, never a part; each .ics parses.

    `besides` names files that are not vconf's (a test put them there).
    """
    for name, data in tree(out).items():
        if name.endswith(".tmp") or name in besides:
            continue  # a temporary file of an interrupted run is removed by the next run
        assert data in (old.get(name), new.get(name)), name
        if name.endswith(".ics"):
            icalendar.Calendar.from_ical(data)
