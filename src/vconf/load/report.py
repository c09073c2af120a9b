"""Collecting input errors: every one counted, the first 50 in file order kept and located."""

from __future__ import annotations

from collections.abc import Callable

from vconf.errors import VconfError
from vconf.load.places import Where, find_places

LIMIT = 50
Made = VconfError | Callable[[], VconfError]  # an error, or how to make it when it is shown
Order = tuple[int, ...]  # an error's rank in file order: (section, item, key, sub-place, count)


class Report:
    """The input errors found so far; past LIMIT an error is only counted, never formatted."""

    def __init__(self, text: str = "", *, strict: bool = False):
        self._text = text
        self._strict = strict  # the first error is raised at once (a table within a value)
        self._kept: list[tuple[Order, VconfError, Where]] = []
        self._bound: Order | None = None  # with LIMIT kept, a later error is only counted
        self.count = 0
        self.sessions = 0

    def add(self, error: Made, *, order: Order, where: Where) -> None:
        """Note an error that sits at `where` in the document and ranks `order` in the file.

        `error` may be a function that makes it: past the first LIMIT it is never called.
        """
        if self._strict:
            raise error if isinstance(error, VconfError) else error()
        self.count += 1
        order = (*order, self.count)
        if self._bound is not None and order > self._bound:
            return
        self._kept.append((order, error if isinstance(error, VconfError) else error(), where))
        if len(self._kept) >= 2 * LIMIT:
            self._kept.sort(key=lambda kept: kept[0])
            del self._kept[LIMIT:]
            self._bound = self._kept[-1][0]

    def stop(self, error: Made, *, order: Order, where: Where) -> VconfError:
        """Return the errors so far and `error`, which makes any later check meaningless."""
        self.add(error, order=order, where=where)
        return self.error()

    def raise_any(self) -> None:
        """Raise the errors found, if any."""
        if self.count:
            raise self.error()

    def error(self) -> VconfError:
        """Return one VconfError holding the first LIMIT errors in file order, with lines."""
        self._kept.sort(key=lambda kept: kept[0])
        kept = self._kept[:LIMIT]
        if self._text:
            places = find_places(
                self._text, (where for _, _, where in kept), sessions=self.sessions
            )
            for _, error, where in kept:
                error.line, error.column = places.get(where, (None, None))
            if all(error.line is not None for _, error, _ in kept):
                kept.sort(key=lambda item: (item[1].line, item[1].column, item[0]))
        return VconfError.together([error for _, error, _ in kept], more=self.count - len(kept))
