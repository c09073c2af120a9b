"""The output directory: the names of its files, the DIR safety check, and atomic writes.

Every path vconf writes under DIR (SPEC §5, §6) and every session's UID is spelled here once;
load, export, revisions and render call these functions.

vconf writes only into a DIR that does not exist, is empty, or holds its own `.vconf/` marker
(SPEC §5), so a mistyped `-o ~` can never overwrite a user's files. DIR itself may be a symbolic
link the user chose; below DIR nothing is followed: every directory is opened with O_NOFOLLOW
relative to its parent's descriptor, so a link swapped in while vconf runs is refused too.

Test-only: when the environment variable `VCONF_FAULT` names a step (`fault_point`), the process
ends there at once with `os._exit(137)`, as a `kill -9` would; the crash-safety tests of
`vconf.revisions` use it. Steps here: `temporaries` (every temporary file written, none renamed),
`first-renamed`, `half-renamed`.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vconf.errors import VconfError

if TYPE_CHECKING:
    from vconf.model import Event

MARKER = ".vconf"
STORE_NAME = "state.sqlite"
LOCK_NAME = "lock"
DELEGATIONS, PEOPLE, INVITES, AGENDAS = "delegations", "people", "invites", "agendas"
# the .ics files vconf writes: a store naming any other path is damaged (it could leave DIR)
CALENDAR_PATH = re.compile(
    rf"(?:(?:{DELEGATIONS}|{PEOPLE}|{INVITES})/)?[A-Za-z0-9][A-Za-z0-9._-]*\.ics"
)
MARKER_README = "README.txt"
README_TEXT = """\
This directory was written by vconf.

vconf writes only into a directory that does not exist, is empty, or holds this .vconf/
directory, so that a mistyped output path can never overwrite other files. Delete the whole
output directory to start afresh; keep this folder to let vconf export into it again.
"""

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")  # the names `_write_temporary` gives
FAULT_VARIABLE = "VCONF_FAULT"


# ---- names -------------------------------------------------------------------------------------


def public_calendar_path(event_id: str) -> str:
    """Return `<event id>.ics`, the calendar of every public session."""
    return f"{event_id}.ics"


def interpretation_csv_path() -> str:
    """Return `interpretation.csv`, the interpretation plan (SPEC §7)."""
    return "interpretation.csv"


def delegation_calendar_path(code: str) -> str:
    """Return `delegations/<CODE>.ics`."""
    return f"{DELEGATIONS}/{code}.ics"


def person_calendar_path(person_id: str) -> str:
    """Return `people/<person id>.ics`."""
    return f"{PEOPLE}/{person_id}.ics"


def invite_path(session_id: str) -> str:
    """Return `invites/<session id>.ics`, the session's invitation (or its CANCEL)."""
    return f"{INVITES}/{session_id}.ics"


def is_invite_path(path: str) -> bool:
    """Whether a relative path is an invitation's (`invite_path`) rather than a calendar's."""
    return path.startswith(f"{INVITES}/")


def calendar_owner(path: str) -> str:
    """Return the id or code a calendar path is named for: `VN` for `delegations/VN.ics`."""
    return path.rpartition("/")[2].removesuffix(".ics")


def agenda_markdown_path(code: str) -> str:
    """Return `agendas/<CODE>.md`."""
    return f"{AGENDAS}/{code}.md"


def agenda_html_path(code: str) -> str:
    """Return `agendas/<CODE>.html`."""
    return f"{AGENDAS}/{code}.html"


def person_agenda_path(person_id: str, extension: str) -> str:
    """Return `agendas/people/<person id>.<extension>` (`md` or `html`): the minister's folder."""
    return f"{AGENDAS}/people/{person_id}.{extension}"


def programme_path(extension: str) -> str:
    """Return `programme.<extension>` (`md` or `html`): the public programme."""
    return f"programme.{extension}"


def state_path(directory: Path) -> Path:
    """Return `DIR/.vconf/state.sqlite`, the revision store."""
    return directory / MARKER / STORE_NAME


def lock_path(directory: Path) -> Path:
    """Return `DIR/.vconf/lock`, the file a run locks for as long as it writes into DIR."""
    return directory / MARKER / LOCK_NAME


def session_uid(session_id: str, event: Event) -> str:
    """Return a session's UID, `<session id>.<event id>@<uid_domain>`, the same in every export."""
    return f"{session_id}.{event.id}@{event.uid_domain}"


CLOSED_SUMMARY = "Closed meeting"  # the busy block's only words (SPEC §7)


def closed_block_uid(session_id: str, event: Event) -> str:
    """Return the UID of a closed session's busy block, `<session id>.closed.<event id>@<domain>`.

    Not the session's own UID: a party who imports both its calendar and the public one sees
    the full event and the block as two entries, never one replacing the other.
    """
    return f"{session_id}.closed.{event.id}@{event.uid_domain}"


def prepare_output_dir(path: str) -> Path:
    """Return DIR as a Path if vconf may write there; raise a VconfError saying why not.

    Allowed: a path that does not exist (created by `write_all`), an empty directory, or one
    that holds vconf's `.vconf/` marker directory. Nothing is created or changed here.
    """
    directory = Path(path)
    _check_output_dir(directory)
    return directory


def write_all(directory: Path, files: Mapping[str, bytes], *, durable: bool = True) -> list[Path]:
    """Write each `{relative posix path: bytes}` atomically under DIR; return the paths of the
    files it wrote (not those already holding the same bytes), sorted.

    DIR is checked again as `prepare_output_dir` does, created if missing, and marked with
    `.vconf/`. Every path is checked before anything is written: it must stay inside DIR and
    not touch `.vconf/`. Each file is written to a temporary file beside its target, flushed to
    disk, then `os.replace`d over the target, so a reader sees the old file or the new one,
    never half of one. A file that already holds the same bytes is left alone (its mtime too).
    A symbolic link as a target or as a folder on the way is refused, never followed. An OSError
    (read-only, disk full) becomes a VconfError naming the path; temporary files are removed.

    The temporary files are all written first, then flushed with one `sync()` on Linux (an fsync
    per file elsewhere), then renamed: one flush instead of 25,000 fsyncs takes an export of
    20,000 sessions from about 10 s of writing to about 1 s. A failure before the renames
    leaves DIR as it was. With `durable=False` nothing is flushed (files a next run writes
    again, as `vconf send`'s review drafts): each is still whole or absent after a kill, and only
    a power cut could lose the last written.

    It is `stage_files` then `replace_staged`, which two processes can share: each stages its
    own files, one replaces them all.
    """
    staged = stage_files(directory, files, durable=durable)
    return [directory / name for name in replace_staged(directory, [staged], durable=durable)]


@dataclass(frozen=True, slots=True)
class Staged:
    """Files written to temporary files under DIR, each waiting to be renamed over its target
    (`replace_staged`): `(target's parts, temporary file's name)`, by target. `fresh` are the
    folders the staging made: nothing of the user's is in them to be refused."""

    temporaries: tuple[tuple[tuple[str, ...], str], ...]
    fresh: frozenset[tuple[str, ...]] = frozenset()


def stage_files(
    directory: Path, files: Mapping[str, bytes], *, durable: bool = True, mark: bool = True
) -> Staged:
    """Write each file that changed to a temporary file beside its target (`write_all`).

    Nothing is flushed yet on Linux (one `sync()` in `replace_staged` does it); on a failure
    the temporary files are removed. `mark` adds `.vconf/README.txt` when it is missing. Each
    file's bytes are asked of `files` once, as it is written, so a mapping that makes them when
    asked (`vconf send`'s drafts) holds one file at a time.
    """
    targets = sorted(
        ((_check_relative(name), name) for name in files),
        key=lambda target: (target[0][:-1], target[0][-1]),
    )
    if os.open not in os.supports_dir_fd or not _NOFOLLOW:
        raise VconfError("writing the output needs a POSIX system (open with dir_fd, O_NOFOLLOW)")
    _check_output_dir(directory)
    _create_dir(directory)
    with _Folders(directory) as folders:
        readme = f"{MARKER}/{MARKER_README}"  # never a key of `files` (`_check_relative`)
        if mark and not _exists(folders[(MARKER,)], MARKER_README):
            targets.append(((MARKER, MARKER_README), readme))

        def contents(name: str) -> bytes:
            return README_TEXT.encode() if name == readme else files[name]

        sync_each = durable and not _SYNC_ALL
        written = _write_temporaries(folders, targets, contents, sync_each=sync_each)
        return Staged(tuple(written), frozenset(folders.created))


def replace_staged(directory: Path, staged: Iterable[Staged], *, durable: bool = True) -> list[str]:
    """Flush the staged temporary files, rename each over its target; return the targets, but
    `.vconf/README.txt`, as sorted paths relative to DIR (`people/a.ics`: 35,000 `Path`s cost
    half a second). On a failure the temporary files not renamed yet are removed."""
    marker = (MARKER, MARKER_README)
    staged = list(staged)
    temporaries = sorted(
        (item for part in staged for item in part.temporaries),
        key=lambda item: (item[0] == marker, item[0][:-1], item[0][-1]),
    )
    with _Folders(directory) as folders:
        folders.created.update(folder for part in staged for folder in part.fresh)
        _replace_temporaries(folders, temporaries, durable=durable)
        if durable:
            folders.sync()
    return [
        "/".join(parts) for parts in sorted(parts for parts, _ in temporaries if parts != marker)
    ]


def prepare_state_dir(directory: Path) -> Path:
    """Return `DIR/.vconf`, creating DIR and the marker folder when missing; refuse any link.

    DIR is checked as `prepare_output_dir` does. This is where `vconf.revisions` keeps its
    store and lock file, so the folder is made before any other file is written.
    """
    if os.open not in os.supports_dir_fd or not _NOFOLLOW:
        raise VconfError("writing the output needs a POSIX system (open with dir_fd, O_NOFOLLOW)")
    _check_output_dir(directory)
    _create_dir(directory)
    with _Folders(directory) as folders:
        folders[(MARKER,)]
    return directory / MARKER


def remove_temporary_files(directory: Path) -> int:
    """Remove the temporary files a killed run left under DIR; return how many there were.

    Only names `write_all` gives its temporary files (`.<target>.<8 hex>.tmp`) are removed, and
    no symbolic link is followed. Call it only while holding DIR's lock, or a running export
    could lose a file it is about to rename.
    """
    if not directory.is_dir():
        return 0
    removed = 0
    # DIR itself may be a link the user chose; below it fwalk follows no link
    for _, _, names, folder in os.fwalk(directory.resolve()):
        for name in names:
            if _TEMPORARY.fullmatch(name):
                with suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=folder)
                    removed += 1
    return removed


def fault_point(step: str) -> None:
    """End the process at once, as `kill -9` would, when `VCONF_FAULT` names `step` (test-only)."""
    if os.environ.get(FAULT_VARIABLE) == step:
        os._exit(137)


# ---- the DIR check -----------------------------------------------------------------------------


def _check_output_dir(directory: Path) -> None:
    shown = str(directory)
    try:
        mode = os.stat(directory).st_mode
    except FileNotFoundError:
        if os.path.lexists(directory):
            raise VconfError(
                f"output directory {shown} is a broken symbolic link; "
                "remove it or choose another -o DIR"
            ) from None
        return
    except OSError as error:
        raise _os_error("cannot read the output directory", shown, error) from error
    if not stat.S_ISDIR(mode):
        raise VconfError(
            f"output path {shown} exists and is not a directory; choose another -o DIR"
        )
    try:
        with os.scandir(directory) as entries:
            names = {entry.name: entry for entry in entries}
    except OSError as error:
        raise _os_error("cannot read the output directory", shown, error) from error
    marker = names.get(MARKER)
    if not names or (marker is not None and marker.is_dir(follow_symlinks=False)):
        return
    raise VconfError(
        f"refusing to write into {shown}: it is not empty and has no {MARKER}/ marker, so vconf "
        "did not write it; choose a new or empty directory with -o DIR"
    )


def _check_relative(name: str) -> tuple[str, ...]:
    """Return the parts of a relative path that stays inside DIR; raise a VconfError otherwise."""
    # split, not PurePosixPath (35,000 of those cost a third of a second): an empty part is
    # "/a", "a//b" or "a/", which are not the canonical spelling of a relative path
    parts = tuple(name.split("/"))
    unsafe = (
        any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts)
        or parts[0] == MARKER
    )
    if unsafe:
        raise VconfError(
            f"refusing to write {name!r}: the path must stay inside the output directory"
        )
    return parts


# ---- walking without following links -----------------------------------------------------------


def _create_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _os_error("cannot create the output directory", str(directory), error) from error


class _Folders:
    """Descriptors of DIR and of the folders under it, opened without following any link."""

    def __init__(self, directory: Path):
        self.directory = directory
        try:  # a link the user named as DIR is followed, once
            root = os.open(directory, _DIR_FLAGS)
        except OSError as error:
            raise _os_error("cannot open the output directory", str(directory), error) from error
        self.descriptors: dict[tuple[str, ...], int] = {(): root}
        # folders this run made: no target is in them yet, so none needs a look (35,000 stats)
        self.created: set[tuple[str, ...]] = set()

    def __enter__(self) -> _Folders:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for descriptor in self.descriptors.values():
            os.close(descriptor)

    def __getitem__(self, folder: tuple[str, ...]) -> int:
        """Return the descriptor of `DIR/folder`, creating the folders that are missing."""
        if folder not in self.descriptors:
            parent = self[folder[:-1]]
            shown = self.directory.joinpath(*folder)
            descriptor, created = _open_subdir(parent, folder[-1], shown)
            self.descriptors[folder] = descriptor
            if created:
                self.created.add(folder)
        return self.descriptors[folder]

    def sync(self) -> None:
        """Make the renames durable; a file system that cannot fsync a folder is fine."""
        for descriptor in self.descriptors.values():
            with suppress(OSError):
                os.fsync(descriptor)


def _open_subdir(parent: int, name: str, shown: _Where) -> tuple[int, bool]:
    """Return a descriptor of directory `name` inside `parent`, never through a symbolic link,
    and whether this call created it."""
    created = True
    try:
        os.mkdir(name, 0o777, dir_fd=parent)
    except FileExistsError:
        created = False
    except OSError as error:
        raise _os_error("cannot create directory", str(shown), error) from error
    try:
        return os.open(name, _DIR_FLAGS | _NOFOLLOW, dir_fd=parent), created
    except OSError as error:
        _refuse_link(parent, name, shown)
        if error.errno == errno.ENOTDIR:
            raise VconfError(
                f"cannot write into {shown}: it exists and is not a directory"
            ) from error
        raise _os_error("cannot open directory", str(shown), error) from error


def _stat(parent: int, name: str, shown: _Where) -> os.stat_result | None:
    """Return the status of `name` inside `parent` (a link's own), or None if there is none."""
    try:
        return os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _os_error("cannot read", str(shown), error) from error


def _exists(parent: int, name: str) -> bool:
    return _stat(parent, name, Path(name)) is not None


def _refuse_link(parent: int, name: str, shown: _Where) -> None:
    """Raise a VconfError if `name` inside `parent` is a symbolic link."""
    status = _stat(parent, name, shown)
    if status is not None and stat.S_ISLNK(status.st_mode):
        raise VconfError(
            f"refusing to write {shown}: it is a symbolic link, and vconf follows no link inside "
            "the output directory; remove the link"
        )


# ---- the files ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shown:
    """A path under DIR as a message names it, made only when one does (35,000 `Path`s of an
    export that writes fine cost about a second)."""

    directory: Path
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.directory.joinpath(*self.parts))


_Where = Path | _Shown  # what an error message names


_SYNC_ALL = sys.platform.startswith("linux")  # elsewhere sync() may return before the disk has it


def _write_temporaries(
    folders: _Folders,
    targets: list[tuple[tuple[str, ...], str]],
    contents: Callable[[str], bytes],
    *,
    sync_each: bool,
) -> list[tuple[tuple[str, ...], str]]:
    """Write each changed target `(parts, name)`, its bytes `contents(name)`, to a temporary
    file; return `(parts, temporary)` pairs. On a failure the temporary files written are removed.
    """
    written: list[tuple[tuple[str, ...], str]] = []
    try:
        for parts, name in targets:
            data = contents(name)
            parent, shown = folders[parts[:-1]], _Shown(folders.directory, parts)
            if parts[:-1] in folders.created or not _holds(parent, parts[-1], data, shown):
                temporary = _write_temporary(parent, parts[-1], data, shown, sync=sync_each)
                written.append((parts, temporary))
    except BaseException:
        for parts, temporary in written:
            with suppress(OSError):  # best effort: the first error is the one to report
                os.unlink(temporary, dir_fd=folders[parts[:-1]])
        raise
    return written


def _replace_temporaries(
    folders: _Folders, temporaries: list[tuple[tuple[str, ...], str]], *, durable: bool
) -> None:
    """Flush the temporary files (one `sync()` on Linux), then rename each over its target."""
    renamed = 0
    try:
        if temporaries and durable and _SYNC_ALL:
            os.sync()
        fault_point("temporaries")
        for parts, temporary in temporaries:
            parent, shown = folders[parts[:-1]], _Shown(folders.directory, parts)
            if parts[:-1] not in folders.created:  # replace, not follow
                _refuse_link(parent, parts[-1], shown)
            try:
                os.replace(temporary, parts[-1], src_dir_fd=parent, dst_dir_fd=parent)
            except OSError as error:
                raise _os_error("cannot write", str(shown), error) from error
            renamed += 1
            if renamed in (1, len(temporaries) // 2):
                fault_point("first-renamed" if renamed == 1 else "half-renamed")
    finally:
        for parts, temporary in temporaries[renamed:]:
            with suppress(OSError):  # best effort: the first error is the one to report
                os.unlink(temporary, dir_fd=folders[parts[:-1]])


def _holds(parent: int, name: str, data: bytes, shown: _Where) -> bool:
    """Whether `name` is already a regular file holding exactly `data`; refuse a link or folder."""
    status = _stat(parent, name, shown)
    if status is None:
        return False
    _refuse_link(parent, name, shown)
    if stat.S_ISDIR(status.st_mode):
        raise VconfError(f"cannot write {shown}: a directory is in the way")
    if not stat.S_ISREG(status.st_mode) or status.st_size != len(data):
        return False
    try:
        descriptor = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=parent)
        with os.fdopen(descriptor, "rb") as file:
            return file.read(len(data) + 1) == data
    except OSError:
        return False  # unreadable: write it anew


def _write_temporary(parent: int, target: str, data: bytes, shown: _Where, *, sync: bool) -> str:
    """Write `data` to a new hidden temporary file beside `target`; return its name."""
    for _ in range(100):
        name = f".{target}.{secrets.token_hex(4)}.tmp"
        try:
            descriptor = os.open(name, _FILE_FLAGS, 0o666, dir_fd=parent)
        except FileExistsError:
            continue
        except OSError as error:
            raise _os_error("cannot write", str(shown), error) from error
        try:
            _fill(descriptor, data, sync=sync)
        except OSError as error:
            with suppress(OSError):
                os.unlink(name, dir_fd=parent)
            raise _os_error("cannot write", str(shown), error) from error
        return name
    raise VconfError(f"cannot write {shown}: no free temporary file name")  # pragma: no cover


def _fill(descriptor: int, data: bytes, *, sync: bool) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        if sync:
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _os_error(what: str, shown: str, error: OSError) -> VconfError:
    reason = error.strerror or str(error)
    return VconfError(f"{what} {shown}: {reason}")


def write_file(path: Path, data: bytes) -> None:
    """Write one file atomically: a temporary file beside it, flushed, then `os.replace`d.

    A reader sees the old file or the new one, never half of one; on an OSError the temporary
    file is removed and a VconfError names the path (`vconf schedule -o OUT.toml`).
    """
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise VconfError(f"cannot write {path}: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with suppress(OSError):
            os.remove(temporary)
        raise VconfError(f"cannot write {path}: {error.strerror or error}") from error
