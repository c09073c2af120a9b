"""CI runs what the README tells a contributor to run, and installs what the tests need."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_test_command() -> str:
    """Return the README's test command: the shell block after "exactly what CI runs"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index("exactly what CI runs") :]
    found = re.search(r"```sh\n(.*?)\n```", after, re.DOTALL)
    assert found, "no ```sh block after the README's 'exactly what CI runs'"
    return found.group(1)


def test_ci_runs_the_readme_test_command_verbatim_as_its_last_line() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert lines[-1] == readme_test_command()


def test_ci_installs_every_extra_the_tests_use() -> None:
    assert "pip install -q -e '.[test,pdf,solve]'" in readme_test_command()


def test_ci_installs_the_debian_print_tools_only_on_a_ci_machine_as_root() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    guard = 'if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; then'
    assert guard in script
    guarded = script[script.index(guard) : script.index("\nfi\n")]
    assert "apt-get install -y -qq chromium poppler-utils fonts-dejavu-core" in guarded
    assert script.count("apt-get") == guarded.count("apt-get")  # none outside the guard
