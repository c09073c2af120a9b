"""Reading the document: the file's bytes (size limit), their text (UTF-8), the parsed tables.

A large file is parsed in chunks of `[[sessions]]` tables, each read and freed before the next is
parsed, so the whole document is never in memory at once (peak RSS).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from vconf.errors import VconfError
from vconf.load.records import NotChunkable, read_document
from vconf.model import Conference

MAX_FILE_BYTES = 64 * 1024 * 1024
_SESSIONS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*sessions[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)
_CHUNK_SESSIONS = 2000
_CHUNKED_FROM = 4 * 1024 * 1024  # characters; below this one parse is cheap enough


def read_conference(path: str) -> Conference:
    """Return the conference in a TOML file; every problem is a VconfError naming the file."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise VconfError(f"cannot read the file: {error.strerror or error}", file=path) from error
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise VconfError(f"the file is larger than {limit} MB, the limit vconf reads", file=path)
    try:
        text = _decode(data)
        del data  # a big file is held once: bytes, then text, then a chunk of tables (peak RSS)
        return conference_from_text(text)
    except VconfError as error:
        error.file = path
        raise


def conference_from_bytes(data: bytes) -> Conference:
    """Return the conference in TOML bytes (UTF-8, a BOM accepted)."""
    return conference_from_text(_decode(data))


def _decode(data: bytes) -> str:
    """Return the text of UTF-8 bytes (a BOM accepted), or say where it is not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise VconfError("the file is UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        raise VconfError(
            f"the file is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8",
            line=data.count(b"\n", 0, error.start) + 1,
            column=len(data[line_start : error.start].decode("utf-8")) + 1,
        ) from error
    return text


def conference_from_text(text: str) -> Conference:
    """Return the conference in a TOML document.

    Whenever the chunks could mean anything else than the whole file does (a table after the
    sessions, a syntax error, a `[[sessions]]` line inside a multi-line string), the whole file
    is parsed instead, so results and messages (with their line numbers) are exactly those of one
    parse. Errors in the values are the same either way: each table is read alike.
    """
    chunks = session_chunks(text)
    if chunks is not None:
        try:
            head = parse_toml(chunks[0])
        except VconfError:
            head = None  # perhaps cut inside a string: one whole parse words the message
        if head is not None:
            try:
                return read_document(head, _chunked_sessions(chunks), text=text)
            except NotChunkable:
                pass  # any doubt: one whole parse decides
    return read_document(parse_toml(text), text=text)


def session_chunks(text: str) -> list[str] | None:
    """Return the text before the first `[[sessions]]`, then chunks of sessions; None if small."""
    if len(text) < _CHUNKED_FROM:
        return None
    starts = [match.start() for match in _SESSIONS_HEADER.finditer(text)]
    if not starts:
        return None
    bounds = [*starts[::_CHUNK_SESSIONS], len(text)]
    return [text[: starts[0]]] + [text[a:b] for a, b in itertools.pairwise(bounds)]


def _chunked_sessions(chunks: list[str]) -> Iterator[Any]:
    """Yield the raw session tables chunk by chunk, freeing each chunk once parsed."""
    for index in range(1, len(chunks)):
        try:
            document = parse_toml(chunks[index])
        except VconfError as error:
            raise NotChunkable from error
        chunks[index] = ""
        if list(document) != ["sessions"] or not isinstance(document["sessions"], list):
            raise NotChunkable
        raw = document.pop("sessions")
        for position in range(len(raw)):
            yield raw[position]
            raw[position] = None


def parse_toml(text: str) -> dict[str, Any]:
    """Return the tables of a TOML document; a syntax error is a VconfError with its place."""
    import tomli as toml  # compiled tomli parses ~2.5x faster than tomllib (issue note)

    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as error:
        message = _one_line(getattr(error, "msg", str(error)))
        line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
        raise VconfError(f"TOML syntax: {message}", line=line, column=column) from error
    except RecursionError as error:
        raise VconfError("TOML syntax: values nested too deeply") from error


def _one_line(text: str) -> str:
    return " ".join(text.split())
