"""The golden run: every command, every format, every exported file of each example.

`python tests/golden/regenerate.py` rewrites `tests/golden/<example>/` from the current code;
`tests/test_golden.py` runs the same commands and compares bytes. A change that alters any output
shows up as a diff of these files, to be read and committed on purpose.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from vconf.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z: DTSTAMPs do not depend on the day of the run

# name of the output -> arguments after the example path (FILE), per example
COMMON: dict[str, list[str]] = {
    "check.txt": ["check", "FILE"],
    "check.json": ["check", "FILE", "--format", "json"],
    "agenda.txt": ["agenda", "FILE"],
    "agenda.json": ["agenda", "FILE", "--format", "json"],
    "agenda.md": ["agenda", "FILE", "--format", "md"],
    "agenda.html": ["agenda", "FILE", "--format", "html"],
    "agenda-tz.txt": ["agenda", "FILE", "--tz", "America/New_York", "--tz", "Asia/Tokyo"],
    "zones.txt": ["zones", "FILE"],
    "zones.json": ["zones", "FILE", "--format", "json"],
    "slots.txt": ["slots", "FILE", "--duration", "1h"],
    "slots.json": ["slots", "FILE", "--duration", "90m", "--format", "json"],
    "plan-dry-run.txt": ["plan", "FILE", "--dry-run", "-o", "OUT"],
}
PARTIES: dict[str, list[list[str]]] = {
    "icdd-2021": [["--delegation", "VN"], ["--person", "ayu-kartika"]],
    "itu-digital-world-2020": [["--delegation", "US"], ["--delegation", "CH"]],
    "danang-partners-2023": [["--delegation", "PIT"], ["--delegation", "ADL"]],
    "itu-ministerial-roundtables-2020": [["--delegation", "BR"], ["--delegation", "KR"]],
}


def _runs(example: str) -> Iterator[tuple[str, list[str]]]:
    yield from COMMON.items()
    for party in PARTIES[example]:
        label = party[1]
        for fmt in ("text", "json", "md", "html"):
            name = f"agenda-{label}.{'txt' if fmt == 'text' else fmt}"
            yield name, ["agenda", "FILE", *party, "--format", fmt]


def _invoke(runner: CliRunner, args: list[str]) -> bytes:
    result = runner.invoke(cli, args, catch_exceptions=False)
    return (
        f"exit {result.exit_code}\n--- stdout\n".encode()
        + result.stdout_bytes
        + b"--- stderr\n"
        + result.stderr_bytes
    )


def golden_outputs(example: str) -> dict[str, bytes]:
    """Return {relative path: bytes} of every output of one example, run in a scratch folder."""
    source = EXAMPLES / f"{example}.toml"
    outputs: dict[str, bytes] = {}
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    runner = CliRunner()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            out = str(Path(scratch) / "out")
            swap = {"FILE": str(source), "OUT": out}
            for name, args in _runs(example):
                outputs[name] = _invoke(runner, [swap.get(a, a) for a in args])
            outputs["export.txt"] = _invoke(runner, ["export", str(source), "-o", out])
            outputs["export-again.txt"] = _invoke(runner, ["export", str(source), "-o", out])
            for path in sorted(Path(out).rglob("*")):
                relative = path.relative_to(out).as_posix()
                if path.is_file() and not relative.startswith(".vconf/"):
                    outputs[f"export/{relative}"] = path.read_bytes()
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    # scratch and checkout paths differ per run: name them alike
    return {
        name: data.replace(scratch.encode(), b"SCRATCH").replace(str(ROOT).encode(), b"ROOT")
        for name, data in outputs.items()
    }


def examples() -> list[str]:
    """Return the example names, in order."""
    return sorted(path.stem for path in EXAMPLES.glob("*.toml"))


def main(target: Path = GOLDEN) -> None:
    """Rewrite the golden folder of every example."""
    for example in examples():
        folder = target / example
        shutil.rmtree(folder, ignore_errors=True)
        for name, data in golden_outputs(example).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        print(f"{folder}: {len(list(folder.rglob('*')))} entries")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN)
