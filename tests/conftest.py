"""Shared fixtures: a conference from TOML text, a timetable, a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from vconf.load import conference_from_text
from vconf.model import Conference
from vconf.timetable import Timetable, build_timetable

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
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


@pytest.fixture
def timetable(conference: Callable[[str], Conference]) -> Callable[[str], Timetable]:
    """Return a function that builds a timetable from TOML text."""

    def build(text: str) -> Timetable:
        return build_timetable(conference(text))

    return build


@pytest.fixture
def runner() -> CliRunner:
    """A click CliRunner with stderr kept apart."""
    return CliRunner()
