"""Shared fixtures and helpers: a conference or timetable from TOML text, a CLI runner."""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from vconf.load import conference_from_text
from vconf.model import Conference
from vconf.timetable import Timetable, build_timetable

# CI is derandomized (the same examples each run): a landing never depends on a random draw;
# `HYPOTHESIS_PROFILE=long` searches afresh. Cases found that way stay as tests (`@example`).
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

HEADER = """
[event]
id = "test"
name = "Test event"
timezone = "Asia/Jakarta"
organizer = { name = "Secretariat", email = "secretariat@test.example" }
"""


@pytest.fixture
def conference() -> Callable[[str], Conference]:
    """Return a function that reads TOML text (the [event] header prepended when missing)."""

    def read(text: str) -> Conference:
        return conference_from_text(text if "[event]" in text else HEADER + text)

    return read


def timetable_of(*parts: str) -> Timetable:
    """Return the timetable of TOML text in parts, joined by newlines, common indentation removed.

    The [event] header above is prepended when the text has none.
    """
    text = textwrap.dedent("\n".join(parts))
    return build_timetable(conference_from_text(text if "[event]" in text else HEADER + text))


_Built = TypeVar("_Built")

# Run in the other interpreter: build a timetable from the TOML parts, apply `build`, send back
# the result, and this interpreter's hash of a string, which shows its hash seed differs.
_ELSEWHERE = """
import pickle, sys
from conftest import timetable_of
build, parts = pickle.load(sys.stdin.buffer)
sys.stdout.buffer.write(pickle.dumps((hash("vconf"), build(timetable_of(*parts)))))
"""


def built_in_another_process(build: Callable[[Timetable], _Built], *parts: str) -> _Built:
    """Return `build(timetable_of(*parts))` computed by a fresh interpreter with another hash seed.

    Compared with the same call in this process, it catches an order that follows `hash()` (a
    set of strings iterated, say), which a single process would repeat faithfully. `build` is
    pickled by name: a module-level function or a `functools.partial` of one.
    """
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    path = [str(Path(__file__).parent), *sys.path]
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join(path)}
    result = subprocess.run(
        [sys.executable, "-c", _ELSEWHERE],
        input=pickle.dumps((build, parts)),
        capture_output=True,
        env=env,
        check=True,
    )
    their_hash, built = pickle.loads(result.stdout)
    assert their_hash != hash("vconf"), "the other process has the same hash seed"
    return built


@pytest.fixture
def timetable() -> Callable[..., Timetable]:
    """Return `timetable_of`, for tests that take it as a fixture."""
    return timetable_of


@pytest.fixture
def runner() -> CliRunner:
    """A click CliRunner with stderr kept apart."""
    return CliRunner()


def script(relative: str) -> ModuleType:
    """Return a script of the repository (`benchmarks/generate.py`, `docs/readme_blocks.py`)
    imported from its path; registered in `sys.modules` while it runs, as dataclasses need."""
    path = Path(__file__).resolve().parents[1] / relative
    name = "vconf_script_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def readme_blocks() -> ModuleType:
    """Return docs/readme_blocks.py, the script that prints the README's terminal blocks."""
    return script("docs/readme_blocks.py")
