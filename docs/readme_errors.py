#!/usr/bin/env python3
"""Regenerate the README's multi-error run (`vconf check docs/mistakes.toml`) from the current code.

Usage: ``PYTHONPATH=src python docs/readme_errors.py`` rewrites the block between the
``<!-- errors:start -->`` and ``<!-- errors:end -->`` markers of README.md;
``tests/test_cli.py`` checks that the README holds exactly what this prints.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from click.testing import CliRunner

from vconf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- errors:start -->", "<!-- errors:end -->"
COMMAND = ["check", "docs/mistakes.toml"]


def errors_block() -> str:
    """Return the README block: the command as typed after the install, its stderr, its code."""
    here = os.getcwd()
    os.chdir(ROOT)  # the lines name the file as typed, relative to the checkout
    try:
        result = CliRunner().invoke(cli, COMMAND, catch_exceptions=False)
    finally:
        os.chdir(here)
    typed = " ".join([".venv/bin/vconf", *COMMAND])
    return (
        f"{START}\n```console\n$ {typed}\n{result.stderr}$ echo $?\n{result.exit_code}\n```\n{END}"
    )


def readme_with_block(text: str) -> str:
    """Return the README text with its errors block replaced by the current one."""
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    return before + errors_block() + after


def main() -> int:
    """Rewrite README.md's errors block; exit 1 when the markers are missing."""
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{README}: no {START} ... {END} block", file=sys.stderr)
        return 1
    README.write_text(readme_with_block(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
