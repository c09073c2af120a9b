#!/usr/bin/env python3
"""Regenerate the README's terminal blocks from the current code: what each command prints.

Usage: ``PYTHONPATH=src python docs/readme_blocks.py`` rewrites the block between each
``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` pair of README.md; the tests check that the
README holds exactly what this prints (`tests/test_agenda.py`, `test_cli.py`,
`test_cli_revisions.py`). The blocks:

- ``agenda``: ICDD 2021's agenda in three zones, at 80 columns;
- ``errors``: ``vconf check docs/mistakes.toml``, five mistakes at once, and its exit code;
- ``changes``: Da Nang's plan exported, then edited (a session moved by half an hour, a
  speaker added, a room changed, one session dropped) and exported again: the dry run, the
  export, and the head of the cancellation it issued.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from vconf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TYPED = ".venv/bin/vconf"  # as a reader types it after the README's install command
EPOCH = 1_795_950_288  # 2026-11-29 11:04:48 UTC: the exports' DTSTAMP and change-list time
AGENDA = ["agenda", "examples/icdd-2021.toml", "--tz", "America/New_York", "--tz", "Europe/London"]
ERRORS = ["check", "docs/mistakes.toml"]
DANANG = "examples/danang-partners-2023.toml"
OUT = "out/danang"


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Run in `folder`, so that the output names files as the reader typed them."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def _run(argv: Sequence[str], epoch: int | None = None) -> tuple[str, str, int]:
    environment = {"COLUMNS": "80"} | ({"SOURCE_DATE_EPOCH": str(epoch)} if epoch else {})
    result = CliRunner(env=environment).invoke(cli, list(argv), catch_exceptions=False)
    return result.stdout, result.stderr, result.exit_code


def _console(commands: Sequence[tuple[str, str]]) -> str:
    """Return a console block: each `$ command` then what it printed."""
    return "```console\n" + "".join(f"$ {typed}\n{shown}" for typed, shown in commands) + "```"


def agenda_block() -> str:
    """The agenda of ICDD 2021 in Jakarta, New York and London, as an 80-column terminal shows."""
    with _inside(ROOT):
        stdout, _, _ = _run([*AGENDA, "--width", "80"])
    return _console([(" ".join([TYPED, *AGENDA]), stdout)])


def errors_block() -> str:
    """`vconf check docs/mistakes.toml`: one line per mistake on stderr, then exit code 2."""
    with _inside(ROOT):
        _, stderr, code = _run(ERRORS)
    return _console([(" ".join([TYPED, *ERRORS]), stderr), ("echo $?", f"{code}\n")])


def edited_danang(text: str) -> str:
    """Return Da Nang's plan with the README's four edits."""
    edits = [
        ("atlantic-2023-03", "start = 2023-03-15T20:00:00", "start = 2023-03-15T20:30:00"),
        (
            "sakai-2023-05",
            'speakers = ["yuki-nakamura"]',
            'speakers = ["yuki-nakamura", "le-trung-chinh"]',
        ),
        ("singapore-2023-07", 'room = "dn-studio"', 'room = "adl-hub"'),
    ]
    for session_id, old, new in edits:
        start = text.find(f'id = "{session_id}"\n')
        end = text.find("[[sessions]]", start)
        block = text[start : end if end >= 0 else len(text)]
        if start < 0 or block.count(old) != 1:
            raise SystemExit(
                f"{DANANG}: {session_id} no longer holds {old!r}: update edited_danang"
            )
        text = text[:start] + block.replace(old, new) + text[start + len(block) :]
    dropped = re.sub(r'\[\[sessions\]\]\nid = "boras-2023-06"\n(?:[^\n]+\n)*\n', "", text)
    if dropped == text:
        raise SystemExit(f"{DANANG} no longer holds boras-2023-06: update edited_danang")
    return dropped


def changes_block() -> str:
    """The change list of a second export after four edits, dry run first; the cancel's head."""
    with tempfile.TemporaryDirectory(prefix="vconf-readme-") as scratch, _inside(Path(scratch)):
        Path("examples").mkdir()
        shutil.copyfile(ROOT / DANANG, DANANG)
        _run(["export", DANANG, "-o", OUT], EPOCH)
        Path(DANANG).write_text(edited_danang(Path(DANANG).read_text("utf-8")), "utf-8")
        export = ["export", DANANG, "-o", OUT]
        dry_run, _, _ = _run([*export, "--dry-run"], EPOCH + 3600)
        written, _, _ = _run(export, EPOCH + 3600)
        cancel = Path(OUT, "invites", "boras-2023-06.ics").read_bytes().decode("utf-8")
        head = "".join(line + "\n" for line in cancel.splitlines()[:12])
    return _console(
        [
            (" ".join([TYPED, *export, "--dry-run"]), dry_run),
            (" ".join([TYPED, *export]), written),
            (f"head -12 {OUT}/invites/boras-2023-06.ics", head),
        ]
    )


BLOCKS: dict[str, Callable[[], str]] = {
    "agenda": agenda_block,
    "errors": errors_block,
    "changes": changes_block,
}


def marked(name: str, block: str) -> str:
    """Return the block between its README markers."""
    return f"<!-- {name}:start -->\n{block}\n<!-- {name}:end -->"


def readme_with_blocks(text: str) -> str:
    """Return the README text with every block replaced by the current one."""
    for name, block in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start not in text or end not in text:
            raise SystemExit(f"{README}: no {start} ... {end} block")
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + marked(name, block()) + after
    return text


def main() -> int:
    """Rewrite README.md's blocks."""
    README.write_text(readme_with_blocks(README.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
