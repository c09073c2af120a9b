"""Where a key sits in the source: its line and column, found from the text only when needed.

tomli gives no positions for values, so a small lexer walks the table headers and keys (skipping
values, strings and comments) and records the first place of each key path. It runs only when
there is an error, and only over the text it needs: the part before the first `[[sessions]]`
and the sessions that hold an error (found by their headers, once the count of headers matches
the sessions read). An inline table or array is one key: a place inside it is the key's place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Where = tuple[str | int, ...]  # a key path in the document; a session is ("sessions", number)
Place = tuple[int, int]  # line and column, both from 1

_SESSIONS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*sessions[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)
_SKIP = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_BLANK = re.compile(r"[ \t]*")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_LITERAL = re.compile(r"'([^'\n]*)'")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)")
_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}
_VALUE_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}'
    r"|'''[\s\S]*?'{3,5}"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[{]|[\]}]"
    r"|\n"
    r"|[^\"'#\[\]{}\n]+"
)


def find_places(text: str, wanted: Iterable[Where], *, sessions: int) -> dict[Where, Place]:
    """Return the line and column of each wanted key path that the text shows.

    A path not written in the text as such takes the place of its longest written prefix (a
    value inside an inline table, a missing key: the table's header).
    """
    wanted = list(wanted)
    starts = [match.start() for match in _SESSIONS_HEADER.finditer(text)]
    index: dict[Where, Place] = {}
    if len(starts) == sessions and starts:
        _lex(text, (0, starts[0]), index, line=1, session=0)
        numbers = {where[1] for where in wanted if _is_session(where)}
        line, counted = 1, 0
        for number in sorted(n for n in numbers if isinstance(n, int) and 1 <= n <= sessions):
            start = starts[number - 1]
            line, counted = line + text.count("\n", counted, start), start
            end = starts[number] if number < sessions else len(text)
            _lex(text, (start, end), index, line=line, session=number - 1)
        if all(_is_session(where) or _longest(where, index) for where in wanted):
            return _resolved(wanted, index)
        index.clear()
    _lex(text, (0, len(text)), index, line=1, session=0)
    return _resolved(wanted, index)


def _is_session(where: Where) -> bool:
    return len(where) >= 2 and where[0] == "sessions" and isinstance(where[1], int)


def _resolved(wanted: list[Where], index: dict[Where, Place]) -> dict[Where, Place]:
    found = {}
    for where in wanted:
        place = _longest(where, index)
        if place is not None:
            found[where] = place
    return found


def _longest(where: Where, index: dict[Where, Place]) -> Place | None:
    for size in range(len(where), 0, -1):
        place = index.get(where[:size])
        if place is not None:
            return place
    return None


class _Lexer:
    """A cursor over the text that counts lines as it moves forward."""

    def __init__(self, text: str, start: int, end: int, line: int):
        self.text = text
        self.pos = start
        self.end = end
        self.line = line
        self.line_start = text.rfind("\n", 0, start) + 1

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.match(self.text, self.pos, self.end)

    def at(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos, self.end)

    def place(self) -> Place:
        return self.line, self.pos - self.line_start + 1

    def move(self, end: int) -> None:
        newlines = self.text.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.pos, end) + 1
        self.pos = end

    def skip(self, pattern: re.Pattern[str]) -> None:
        match = self.match(pattern)
        if match:
            self.move(match.end())


def _lex(
    text: str, span: tuple[int, int], index: dict[Where, Place], *, line: int, session: int
) -> None:
    """Record the first place of each header and key in the span of the text (from `line`)."""
    start, end = span
    cursor = _Lexer(text, start, end, line)
    table: Where = ()
    while True:
        cursor.skip(_SKIP)
        if cursor.pos >= end:
            return
        place = cursor.place()
        if text[cursor.pos] == "[":
            keys, double = _header(cursor)
            if keys is None:
                return
            if double and keys == ("sessions",):
                session += 1
                table = ("sessions", session)
            elif keys[:1] == ("sessions",) and session:
                table = ("sessions", session, *keys[1:])
            else:
                table = keys
            _record(index, table, place)
            continue
        keys = _keys(cursor)
        if keys is None:
            return
        _record(index, (*table, *keys), place)
        if not _skip_value(cursor):
            return


def _record(index: dict[Where, Place], where: Where, place: Place) -> None:
    for size in range(1, len(where) + 1):
        index.setdefault(where[:size], place)


def _header(cursor: _Lexer) -> tuple[Where | None, bool]:
    double = cursor.at("[[")
    cursor.move(cursor.pos + (2 if double else 1))
    keys = _keys(cursor, closing="]")
    if keys is None:
        return None, double
    cursor.move(cursor.pos + (2 if double else 1))
    newline = cursor.text.find("\n", cursor.pos, cursor.end)
    cursor.move(cursor.end if newline < 0 else newline)
    return keys, double


def _keys(cursor: _Lexer, closing: str = "=") -> Where | None:
    """Read a dotted key up to `closing` (left in place for a header, consumed for `=`)."""
    keys: list[str | int] = []
    while True:
        cursor.skip(_BLANK)
        for pattern in (_BARE, _BASIC, _LITERAL):
            match = cursor.match(pattern)
            if match:
                break
        else:
            return None
        key = match.group(0) if pattern is _BARE else match.group(1)
        keys.append(_unescape(key) if pattern is _BASIC else key)
        cursor.move(match.end())
        cursor.skip(_BLANK)
        if cursor.at("."):
            cursor.move(cursor.pos + 1)
            continue
        if not cursor.at(closing):
            return None
        if closing == "=":
            cursor.move(cursor.pos + 1)
        return tuple(keys)


def _unescape(key: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uUx" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE.sub(one, key) if "\\" in key else key


def _skip_value(cursor: _Lexer) -> bool:
    """Move past one value (arrays and inline tables may span lines); False if it never ends."""
    depth = 0
    while True:
        match = cursor.match(_VALUE_TOKEN)
        if match is None:
            return False
        token = match.group(0)
        if token == "\n" and depth == 0:
            return True
        cursor.move(match.end())
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth < 0:
                return False
