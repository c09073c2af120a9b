"""The one error class for anything the user can fix, and the context that says where it sits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class VconfError(Exception):
    """An input or usage error: one line naming the file, the place, the key path and what is wrong.

    One VconfError may report several input errors at once (`VconfError.together`): then `errors`
    holds them in file order, `more` counts those left out, and `lines` (and `str()`, the lines
    joined by newlines) gives one complete line each, then `FILE: and N more errors`.
    """

    def __init__(
        self,
        message: str,
        *,
        path: tuple[str, ...] = (),
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.path = path
        self._file = file
        self.line = line
        self.column = column
        self.errors: tuple[VconfError, ...] = ()
        self.more = 0

    @classmethod
    def together(cls, errors: Sequence[VconfError], *, more: int = 0) -> VconfError:
        """Return one error reporting `errors` (in the order given) and `more` left unreported."""
        if len(errors) == 1 and not more:
            return errors[0]
        first = errors[0]
        error = cls(
            first.message, path=first.path, file=first.file, line=first.line, column=first.column
        )
        error.errors = tuple(errors)
        error.more = more
        return error

    @property
    def file(self) -> str | None:
        """The file the error is in, if known; setting it names the file of every error held."""
        return self._file

    @file.setter
    def file(self, file: str | None) -> None:
        self._file = file
        for error in self.errors:
            error.file = error.file or file

    def within(self, *parts: str) -> VconfError:
        """Prefix `parts` to the key path (the one way callers add where an error sits)."""
        self.path = (*parts, *self.path)
        for error in self.errors:
            error.within(*parts)
        return self

    @property
    def lines(self) -> tuple[str, ...]:
        """Return one line per error, each complete on its own (file, place, key path, words)."""
        if not self.errors:
            return (self._one_line(),)
        lines = [error._one_line() for error in self.errors]
        if self.more:
            lines.append(printable(": ".join([*_some(self.file), f"and {self.more} more errors"])))
        return tuple(lines)

    def _one_line(self) -> str:
        place = self.file or ""
        if self.line is not None:
            at = f"{self.line}:{self.column}" if self.column is not None else f"{self.line}"
            place = f"{place}:{at}" if place else f"line {at}"
        parts = [*_some(place), *_some(_join_path(self.path)), " ".join(self.message.split())]
        return printable(": ".join(parts))

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _some(text: str | None) -> list[str]:
    return [text] if text else []


def _join_path(path: tuple[str, ...]) -> str:
    """Return `sessions[3] (panel-2).start` from its parts."""
    joined = ""
    for part in path:
        if part.startswith("["):
            joined += part
        else:
            joined += ("." if joined else "") + quote_key(part)
    return joined


def quote_key(key: str) -> str:
    """Return a TOML key as the user would write it, quoted and escaped where needed.

    A key from the file may hold a newline, a terminal escape or a right-to-left override; the
    message stays one line and shows the key as written in the file (`"\\u001b]0;x"`), never
    acting on the terminal.
    """
    if key and all(char.isprintable() and char not in '."\\' for char in key):
        return key
    escaped = "".join(
        char if char.isprintable() and char not in '"\\' else f"\\u{ord(char):04x}" for char in key
    )
    return f'"{escaped}"'


def printable(text: str) -> str:
    """Return `text` with every unprintable character (control, separator, bidi) as `\\uXXXX`."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() or char == " " else f"\\u{ord(char):04x}" for char in text
    )


@contextmanager
def inside(*parts: str) -> Iterator[None]:
    """Prefix the key path of any VconfError raised inside the block with `parts`."""
    try:
        yield
    except VconfError as error:
        error.within(*parts)
        raise
