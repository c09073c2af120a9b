"""Imports go downwards only (ARCHITECTURE §1), and each dependency has one door (§7)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "vconf"
LAYERS = {
    "errors": 0, "model": 0, "__init__": 0,
    "timezones": 1, "files": 1, "language": 1, "dates": 1,
    "contentlines": 1,  # RFC 5545 lines written (export) and read (mail); imports nothing of vconf
    "parallel": 1,  # work on a second core (a forked child); imports nothing of vconf
    "load": 2, "timetable": 2, "days": 2,
    "invitations": 3,  # between timetable and revisions, which asks it whom to invite
    "interpretation": 3,  # the channels of the timetable, which checks and export show
    "checks": 4, "agenda": 4, "planning": 4, "revisions": 4,
    "scheduling": 5,  # below render, which prints its report (render/schedule.py)
    "render": 6, "export": 6, "mail": 6,
    "output": 7,  # every file of an export: export's calendars, render's pages, on two cores
    "cli": 8, "__main__": 9,
}  # fmt: skip
# Each third-party or standard-library dependency with one door: the modules that may import it.
DOORS = {"pytz": {"timezones"}, "zoneinfo": {"timezones"},
         "tomli": {"load"}, "sqlite3": {"revisions"},
         "click": {"cli"}, "rich": {"render", "cli"}, "babel": {"language"},
         "weasyprint": {"render"}, "email": {"mail"}, "smtplib": {"mail"},
         "ortools": {"scheduling"}, "tomlkit": {"scheduling"}}  # fmt: skip


def modules() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*.py"))


def top_module(path: Path) -> str:
    return path.relative_to(SOURCE).parts[0].removesuffix(".py")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "vconf":
                names.update(f"vconf.{alias.name}" for alias in node.names)
    return names


def test_every_top_level_module_has_a_layer() -> None:
    missing = sorted({top_module(path) for path in modules()} - LAYERS.keys())
    assert not missing, f"no layer in tests/test_layers.py LAYERS for: {', '.join(missing)}"


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_a_module_imports_only_from_lower_layers(path: Path) -> None:
    own = top_module(path)
    for name in imported(path):
        parts = name.split(".")
        if parts[0] != "vconf" or len(parts) < 2 or parts[1] == own:
            continue
        if own not in LAYERS or parts[1] not in LAYERS:
            continue  # test_every_top_level_module_has_a_layer names it
        assert LAYERS[parts[1]] < LAYERS[own], f"{own} (layer {LAYERS[own]}) imports {name}"


def test_the_rfc_5545_content_lines_import_nothing_from_vconf() -> None:
    names = imported(SOURCE / "contentlines.py")
    assert "re" in names  # the parse found its imports
    assert not {name for name in names if name.split(".")[0] == "vconf"}


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_each_dependency_is_used_through_its_one_door(path: Path) -> None:
    own = top_module(path)
    for name in imported(path):
        doors = DOORS.get(name.split(".")[0])
        assert doors is None or own in doors, f"{own} imports {name}; only {doors} may"


def test_every_door_is_in_use() -> None:
    """A door no module of its own uses is a rule about nothing: it is dropped, not kept."""
    used = {(top_module(path), name.split(".")[0]) for path in modules() for name in imported(path)}
    unused = sorted(
        f"{dependency} ({', '.join(sorted(doors))})"
        for dependency, doors in DOORS.items()
        if not any((own, dependency) in used for own in doors)
    )
    assert not unused, f"doors nobody imports through: {'; '.join(unused)}"
