#!/usr/bin/env python3
"""Regenerate docs/agenda.png: Da Nang's exported agenda page, as headless Chromium shows it.

Usage: ``PYTHONPATH=src python docs/screenshot.py`` exports examples/danang-partners-2023.toml
into a scratch folder (as of a fixed instant, so the page's revision line does not move), then
screenshots ``agendas/DN.html`` (Vietnamese, the delegation's `language`) at 1200x1400 with
Debian's ``/usr/bin/chromium`` (or ``$CHROMIUM``). The README shows the PNG.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from vconf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "agenda.png"
EXAMPLE = ROOT / "examples" / "danang-partners-2023.toml"
PAGE = Path("agendas") / "DN.html"
EPOCH = "1700000000"  # as tests/golden: 2023-11-14T22:13:20Z


def main() -> int:
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        result = CliRunner().invoke(cli, ["export", str(EXAMPLE), "-o", str(out)])
        if result.exit_code not in (0, 1):
            print(result.output, file=sys.stderr)
            return 1
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={Path(scratch) / 'profile'}", "--hide-scrollbars",
             f"--screenshot={TARGET}", "--window-size=1200,1400", (out / PAGE).as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
