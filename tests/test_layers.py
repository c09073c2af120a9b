"""Imports go downwards only (ARCHITECTURE §1), and each dependency has one door (§7)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "vconf"
LAYERS = {
    "errors": 0, "model": 0,
    "timezones": 1, "files": 1, "language": 1, "dates": 1,
    "load": 2, "timetable": 2, "days": 2,
    "invitations": 2.5,  # between timetable and revisions, which asks it whom to invite
    "interpretation": 2.5,  # the channels of the timetable, which checks and export show
    "checks": 3, "agenda": 3, "planning": 3, "revisions": 3,
    "render": 4, "export": 4, "mail": 4, "scheduling": 4,
    "cli": 5, "__main__": 6, "__init__": 0,
}  # fmt: skip
DOORS = {"pytz": {"timezones"}, "zoneinfo": {"timezones"}, "icalendar": {"export"},
         "tomli": {"load"}, "tomllib": {"load"}, "sqlite3": {"revisions"},
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


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_a_module_imports_only_from_lower_layers(path: Path) -> None:
    own = top_module(path)
    for name in imported(path):
        parts = name.split(".")
        if parts[0] != "vconf" or len(parts) < 2 or parts[1] == own:
            continue
        assert LAYERS[parts[1]] < LAYERS[own], f"{own} (layer {LAYERS[own]}) imports {name}"


def test_the_rfc_5545_line_writer_imports_nothing_from_vconf() -> None:
    names = imported(SOURCE / "export" / "lines.py")
    assert "re" in names  # the parse found its imports
    assert not {name for name in names if name.split(".")[0] == "vconf"}


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_each_dependency_is_used_through_its_one_door(path: Path) -> None:
    own = top_module(path)
    for name in imported(path):
        doors = DOORS.get(name.split(".")[0])
        assert doors is None or own in doors, f"{own} imports {name}; only {doors} may"
