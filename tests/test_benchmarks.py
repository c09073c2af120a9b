"""The benchmark scripts: generate.py is deterministic and valid; run.py smoke-runs on S and M."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import script
from vconf.load import conference_from_text

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

RATIO_ROWS = [  # as named when the largest size run is M (the CI smoke run, issue 6)
    "vconf --help \u00f7 python -c pass",
    "vconf check --format json M \u00f7 parse M (tomllib)",
    "vconf check M \u00f7 vconf check S",
    "vconf agenda M (text, piped) \u00f7 vconf check M",
    "vconf agenda M --public \u00f7 vconf check M",
    "vconf export M \u00f7 parse M (tomllib)",
    "peak RSS of vconf check M",
    "vconf schedule M (20 sessions): seconds",
    "vconf schedule M (20 sessions): gap to the proven bound",
    "vconf send M (review, drafts)",
    "vconf send M --confirm to aiosmtpd",
]


def _load_generate() -> ModuleType:
    """Import benchmarks/generate.py from its path."""
    return script("benchmarks/generate.py")


def _vconf_next_to_python() -> Path | None:
    """The vconf entry point in the same environment as this Python, if any."""
    bindir = Path(sys.executable).parent
    for name in ("vconf", "vconf.exe"):
        if (bindir / name).is_file():
            return bindir / name
    return None


def test_generate_is_deterministic() -> None:
    generate = _load_generate()
    first = generate.generate(50, seed=2021)
    assert first == generate.generate(50, seed=2021)
    assert first != generate.generate(50, seed=2022)


def test_generated_small_file_is_valid() -> None:
    generate = _load_generate()
    conference = conference_from_text(generate.generate(generate.SIZES["S"], seed=2021))
    assert len(conference.sessions) == 50


@pytest.mark.skipif(_vconf_next_to_python() is None, reason="no vconf next to sys.executable")
def test_run_smoke(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, str(BENCHMARKS / "run.py"), "--sizes", "S,M", "--runs", "1"]
    completed = subprocess.run(
        [*command, "--no-write", "--no-profile", "--cache-dir", str(tmp_path)],
        capture_output=True,
        env=env,
        timeout=240,  # the send rows export M and deliver its 8,000 messages
        check=False,
    )
    out = completed.stdout.decode("utf-8")
    assert completed.returncode == 0, completed.stderr.decode("utf-8", "replace")
    assert "Sizes: S,M;" in out
    for row in RATIO_ROWS:
        assert row in out


@pytest.mark.skipif(_vconf_next_to_python() is None, reason="no vconf next to sys.executable")
def test_profile_of_a_command() -> None:
    run = script("benchmarks/run.py")
    bench = run.Bench("help", "vconf --help", [str(_vconf_next_to_python()), "--help"], 1)
    text = run.profile_bench(bench)
    assert "function calls" in text
    assert "vconf/cli.py" in text
