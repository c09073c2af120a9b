#!/usr/bin/env python3
"""Regenerate the README's terminal agenda of ICDD 2021 in three zones from the current code.

Usage: ``PYTHONPATH=src python docs/readme_agenda.py`` rewrites the block between the
``<!-- agenda:start -->`` and ``<!-- agenda:end -->`` markers of README.md;
``tests/test_agenda.py`` checks that the README holds exactly what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from vconf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- agenda:start -->", "<!-- agenda:end -->"
COMMAND = [
    "agenda",
    "examples/icdd-2021.toml",
    "--tz",
    "America/New_York",
    "--tz",
    "Europe/London",
    "--width",
    "80",
]


def agenda_block() -> str:
    """Return the README block: the command as typed after the install, then its output."""
    result = CliRunner().invoke(cli, COMMAND, catch_exceptions=False)
    typed = " ".join([".venv/bin/vconf", *COMMAND[:-2]])
    return f"{START}\n```console\n$ {typed}\n{result.stdout}```\n{END}"


def readme_with_block(text: str) -> str:
    """Return the README text with its agenda block replaced by the current one."""
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    return before + agenda_block() + after


def main() -> int:
    """Rewrite README.md's agenda block; exit 1 when the markers are missing."""
    import os

    os.chdir(ROOT)
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{README}: no {START} ... {END} block", file=sys.stderr)
        return 1
    README.write_text(readme_with_block(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
