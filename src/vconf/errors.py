"""The one error class for anything the user can fix, and the context that says where it sits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class VconfError(Exception):
    """An input or usage error: one line naming the file, the key path and what is wrong."""

    def __init__(self, message: str, *, path: tuple[str, ...] = (), file: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.file = file

    def within(self, *parts: str) -> VconfError:
        """Prefix `parts` to the key path (the one way callers add where an error sits)."""
        self.path = (*parts, *self.path)
        return self

    def __str__(self) -> str:
        parts = [part for part in (self.file, _join_path(self.path)) if part]
        return printable(": ".join([*parts, " ".join(self.message.split())]))


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
