"""Problems, agendas, zone grids, proposals, changes, written files: text, JSON, Markdown, HTML.

Import each renderer from its module; this package imports nothing, so loading one renderer
costs only what that one needs:

- `json` (SPEC §4: check, agenda, zones, slots), `markdown`, `html`, `agenda_files` and
  `changes` (the change list's words and JSON) never import rich;
- `text` (problems, agenda, changes, written files) and `planning` (zone grid, proposals) are
  rich renderables;
- `words` holds what they all say alike: dates, clock times, spans, zone names, counts.
"""
