"""Problems, agendas and written files as terminal text, JSON, Markdown and HTML.

`vconf.render.json`, `.markdown`, `.html` and `.agenda_files` never import rich; the rich
renderers of `vconf.render.text` are imported on first use, so `from vconf.render import
problems_as_json` stays cheap for `vconf check --format json`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vconf.render.agenda_files import agenda_files
from vconf.render.html import agenda_as_html
from vconf.render.json import agenda_as_json, problems_as_json
from vconf.render.markdown import agenda_as_markdown

if TYPE_CHECKING:
    from vconf.render.text import (
        agenda_as_text,
        changes_as_text,
        problems_as_text,
        written_as_text,
    )

__all__ = [
    "agenda_as_html",
    "agenda_as_json",
    "agenda_as_markdown",
    "agenda_as_text",
    "agenda_files",
    "changes_as_text",
    "problems_as_json",
    "problems_as_text",
    "written_as_text",
]

_RICH_RENDERERS = frozenset(
    {"agenda_as_text", "changes_as_text", "problems_as_text", "written_as_text"}
)


def __getattr__(name: str) -> Any:
    """Return a rich renderer from `vconf.render.text`, importing rich only when one is used."""
    if name in _RICH_RENDERERS:
        from vconf.render import text

        return getattr(text, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
