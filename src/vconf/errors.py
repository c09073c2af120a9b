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

    def __str__(self) -> str:
        parts = [part for part in (self.file, _join_path(self.path)) if part]
        return ": ".join([*parts, " ".join(self.message.split())])


def _join_path(path: tuple[str, ...]) -> str:
    """Return `sessions[3] (panel-2).start` from its parts."""
    joined = ""
    for part in path:
        joined += part if part.startswith("[") or not joined else "." + part
    return joined


@contextmanager
def inside(*parts: str) -> Iterator[None]:
    """Prefix the key path of any VconfError raised inside the block with `parts`."""
    try:
        yield
    except VconfError as error:
        error.path = (*parts, *error.path)
        raise
