"""The text of OUT.toml: the input file with a `start` line added to each placed session (SPEC §10).

The file is edited as text, one line (or one inline-table entry) added per session, so that
comments, order and layout stay byte for byte. A small scanner finds where each `[[sessions]]`
table (or inline table in `sessions = [...]`) and its keys sit; it knows strings, comments, arrays
and inline tables, enough never to mistake a line inside a multi-line string for a table. tomlkit
then reads the result back and proves it holds exactly the input plus the starts.

Why not tomlkit's own editing: tomlkit 0.15.2 does not round-trip a file whose `[[sessions]]`
tables are interleaved with other tables (it moves `[rooms.main]` after the last session, even
unedited), and an inserted key does not take its neighbours' indentation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SESSIONS_KEY = "sessions"
AFTER_KEYS = ("kind", "title", "id")  # where the examples and SPEC §1 write `start`: after `kind`
HEADING_KEYS = frozenset({"id", "title", "kind", "timezone"})  # the start follows these, together
PUNCTUATION = "[]{},="


@dataclass(frozen=True, slots=True)
class _Token:
    """One lexical piece of TOML: `kind` is newline, comment, string, bare or the punctuation."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Entry:
    """A key/value pair as written: its key's text (quotes kept), and where key and value end."""

    key: str
    key_start: int
    value_end: int


@dataclass(frozen=True, slots=True)
class _Table:
    """A session's table: an `[[sessions]]` section or an inline table, and its entries."""

    inline: bool
    opened: int  # the end of the header line's `]]`, or just after the inline table's `{`
    entries: tuple[_Entry, ...]


def with_starts(text: str, starts: Mapping[int, datetime]) -> str:
    """Return `text` with `start = <local date-time>` added to each numbered session's table.

    `starts` maps the session's number (its `[[sessions]]` table counted from 1, in file order, as
    in key paths) to its naive local start in the session's zone. Everything else is unchanged.
    """
    tables = _session_tables(_tokens(text))
    edits: list[tuple[int, str]] = []
    for number, start_local in sorted(starts.items()):
        if not 1 <= number <= len(tables):
            raise ValueError(f"the file has no sessions[{number}]")
        edits.append(_edit(text, tables[number - 1], _local_datetime(start_local)))
    written = text
    for position, added in sorted(edits, reverse=True):
        written = written[:position] + added + written[position:]
    _prove(text, written, starts)
    return written


def _local_datetime(start_local: datetime) -> str:
    """Return a TOML local date-time: `2021-11-16T14:00:00`."""
    if start_local.tzinfo is not None:
        raise ValueError(f"a local start has no zone: {start_local!r}")
    return start_local.isoformat(timespec="seconds")


def _edit(text: str, table: _Table, value: str) -> tuple[int, str]:
    """Return where the start goes in one session's table, and the text to insert there."""
    if any(_bare(entry.key) == "start" for entry in table.entries):
        raise ValueError("the session already has a start")
    after = _anchor(table.entries)
    if table.inline:
        if after is None:
            return table.opened, (f" start = {value}," if table.entries else f"start = {value}")
        return after.value_end, f", start = {value}"
    if after is None:
        return _line_after(text, table.opened, indent="", value=value)
    return _line_after(text, after.value_end, indent=_indent(text, after.key_start), value=value)


def _anchor(entries: tuple[_Entry, ...]) -> _Entry | None:
    """Return the entry the start line follows: `kind`, else `title`, else `id`, with the heading
    keys written right after it (`timezone` before `start`, as the examples have it)."""
    keys = [_bare(entry.key) for entry in entries]
    index = next((keys.index(key) for key in AFTER_KEYS if key in keys), None)
    if index is None:
        return None
    while index + 1 < len(keys) and keys[index + 1] in HEADING_KEYS:
        index += 1
    return entries[index]


def _line_after(text: str, position: int, *, indent: str, value: str) -> tuple[int, str]:
    """Return the insertion of a `start` line after the line holding `position`."""
    newline = text.find("\n", position)
    if newline < 0:
        ending = "\r\n" if "\r\n" in text else "\n"
        return len(text), f"{ending}{indent}start = {value}"
    ending = "\r\n" if text[newline - 1 : newline] == "\r" else "\n"
    return newline + 1, f"{indent}start = {value}{ending}"


def _indent(text: str, key_start: int) -> str:
    """Return the blanks before a key on its line."""
    line_start = text.rfind("\n", 0, key_start) + 1
    before = text[line_start:key_start]
    return before if before.strip(" \t") == "" else ""


def _bare(key: str) -> str:
    """Return a simple key without its quotes (`"title"` and `'title'` are `title`)."""
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'" and "\\" not in key:
        return key[1:-1]
    return key


def _prove(text: str, written: str, starts: Mapping[int, datetime]) -> None:
    """Check, with tomlkit, that `written` reads as `text` plus exactly the new starts."""
    import tomlkit  # the TOML writer's reader, used here only

    expected: dict[str, Any] = tomlkit.parse(text).unwrap()
    for number, start_local in starts.items():
        session = expected[SESSIONS_KEY][number - 1]
        expected[SESSIONS_KEY][number - 1] = {**session, "start": start_local}
    if tomlkit.parse(written).unwrap() != expected:
        raise RuntimeError("adding the starts changed something else in the file")


# -- the scanner ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[_Token]:
    """Return the tokens of TOML text; blanks between them are dropped."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char in " \t":
            position += 1
            continue
        end, kind = _token_end(text, position)
        tokens.append(_Token(kind, text[position:end], position, end))
        position = end
    return tokens


def _token_end(text: str, position: int) -> tuple[int, str]:
    """Return the end and kind of the token that starts at `position`."""
    char = text[position]
    if char == "\n" or text.startswith("\r\n", position):
        return position + (1 if char == "\n" else 2), "newline"
    if char == "#":
        end = text.find("\n", position)
        return (len(text) if end < 0 else end), "comment"
    for quotes in ('"""', "'''"):
        if text.startswith(quotes, position):
            return _string_end(text, position + 3, quotes), "string"
    if char in "\"'":
        return _string_end(text, position + 1, char), "string"
    if char in PUNCTUATION:
        return position + 1, char
    return _bare_end(text, position), "bare"


def _string_end(text: str, position: int, quotes: str) -> int:
    """Return the end of a string whose body starts at `position` (escapes in basic strings)."""
    while position < len(text):
        if quotes[0] == '"' and text[position] == "\\":
            position += 2
        elif text.startswith(quotes, position):
            end = position + len(quotes)
            while len(quotes) == 3 and text[end : end + 1] == quotes[0] and end - position < 5:
                end += 1  # `""""` closes with a quote inside: the last three quotes close it
            return end
        else:
            position += 1
    return len(text)


def _bare_end(text: str, position: int) -> int:
    """Return the end of a bare key or value: a number, a date-time, `true`, `a.b`."""
    end = position
    while end < len(text) and text[end] not in " \t\r\n#\"'" + PUNCTUATION:
        end += 1
    is_date = end - position == 10 and text[position + 4 : position + 5] == "-"
    if is_date and text[end : end + 1] == " " and text[end + 1 : end + 3].isdigit():
        return _bare_end(text, end + 1)  # `2021-11-16 14:00:00`: a space may separate the time
    return end


class _Scanner:
    """A cursor over the tokens that finds every session table and its entries."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def skip_lines(self) -> None:
        while (token := self.peek()) is not None and token.kind in ("newline", "comment"):
            self.index += 1

    def key(self) -> tuple[str, int]:
        """Return the text of a key (up to its `=`) and where it starts; the `=` is taken."""
        first = self.peek()
        parts = []
        while (token := self.take()).kind != "=":
            parts.append(token.text)
        return "".join(parts), first.start if first else 0

    def value(self) -> tuple[int, list[_Table]]:
        """Return where a value ends and the inline tables directly inside it (an array's)."""
        token = self.take()
        if token.kind == "[":
            return self.array()
        if token.kind == "{":
            table = self.inline_table(token)
            return self.tokens[self.index - 1].end, [table]
        return token.end, []

    def array(self) -> tuple[int, list[_Table]]:
        tables: list[_Table] = []
        while True:
            self.skip_lines()
            token = self.peek()
            if token is None or token.kind == "]":
                self.index += 1
                return (token.end if token else 0), tables
            if token.kind == ",":
                self.index += 1
                continue
            _, found = self.value()
            tables.extend(found)

    def inline_table(self, opening: _Token) -> _Table:
        entries: list[_Entry] = []
        while True:
            self.skip_lines()
            token = self.peek()
            if token is None or token.kind == "}":
                self.index += 1
                return _Table(inline=True, opened=opening.end, entries=tuple(entries))
            if token.kind == ",":
                self.index += 1
                continue
            key, key_start = self.key()
            end, _ = self.value()
            entries.append(_Entry(key, key_start, end))


def _session_tables(tokens: list[_Token]) -> list[_Table]:
    """Return every session's table, in file order: `[[sessions]]` sections or inline tables."""
    scanner = _Scanner(tokens)
    tables: list[_Table] = []
    section: tuple[str, bool] = ("", False)  # the current table's header and whether [[...]]
    while True:
        scanner.skip_lines()
        token = scanner.peek()
        if token is None:
            return tables
        if token.kind == "[":
            section, end = _header(scanner)
            if section == (SESSIONS_KEY, True):
                tables.append(_Table(inline=False, opened=end, entries=()))
            continue
        key, key_start = scanner.key()
        end, inline = scanner.value()
        if section == (SESSIONS_KEY, True):
            last = tables[-1]
            entries = (*last.entries, _Entry(key, key_start, end))
            tables[-1] = _Table(inline=False, opened=last.opened, entries=entries)
        elif section == ("", False) and _bare(key.strip()) == SESSIONS_KEY:
            tables.extend(inline)


def _header(scanner: _Scanner) -> tuple[tuple[str, bool], int]:
    """Return a table header's key and whether it is `[[...]]`, and where the header ends."""
    opening = scanner.take()
    second = scanner.peek()
    double = second is not None and second.kind == "[" and second.start == opening.end
    if double:
        scanner.take()
    parts = []
    while (token := scanner.take()).kind != "]":
        parts.append(token.text)
    if double:
        token = scanner.take()
    return (_bare("".join(parts)), double), token.end
