"""The output directory: which DIRs vconf may write into, atomic writes, no symbolic links."""

from __future__ import annotations

import dataclasses
import errno
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from vconf.errors import VconfError
from vconf.files import (
    CALENDAR_PATH,
    MARKER,
    agenda_html_path,
    agenda_markdown_path,
    calendar_owner,
    delegation_calendar_path,
    invite_path,
    is_invite_path,
    lock_path,
    person_calendar_path,
    prepare_output_dir,
    public_calendar_path,
    session_uid,
    state_path,
    write_all,
)
from vconf.model import Event

FILES = {"event.ics": b"BEGIN:VCALENDAR\r\n", "delegations/VN.ics": b"VN\r\n", "people/a.ics": b"A"}


def leftovers(directory: Path) -> list[Path]:
    """Temporary files left anywhere under DIR."""
    return [path for path in directory.rglob("*") if path.name.endswith(".tmp")]


def marked(directory: Path) -> Path:
    """A DIR vconf wrote before."""
    write_all(directory, {"old.ics": b"old"})
    return directory


# ---- which DIR ----------------------------------------------------------------------------------


def test_a_path_that_does_not_exist_is_allowed_and_created_only_when_writing(
    tmp_path: Path,
) -> None:
    target = tmp_path / "vconf-out" / "event"
    assert prepare_output_dir(str(target)) == target
    assert not target.exists()
    write_all(target, FILES)
    assert (target / "delegations" / "VN.ics").read_bytes() == b"VN\r\n"


def test_an_empty_directory_is_allowed(tmp_path: Path) -> None:
    assert prepare_output_dir(str(tmp_path)) == tmp_path


def test_a_directory_vconf_wrote_before_is_allowed(tmp_path: Path) -> None:
    directory = marked(tmp_path / "out")
    assert prepare_output_dir(str(directory)) == directory


def test_a_directory_with_other_files_is_refused_saying_why_and_what_to_do(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(VconfError) as caught:
        prepare_output_dir(str(home))
    message = str(caught.value)
    assert "\n" not in message
    assert str(home) in message
    assert "not empty" in message
    assert ".vconf/" in message
    assert "-o DIR" in message
    with pytest.raises(VconfError):
        write_all(home, FILES)
    assert sorted(path.name for path in home.iterdir()) == ["thesis.docx"]


def test_a_file_as_the_output_path_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    with pytest.raises(VconfError, match="not a directory"):
        prepare_output_dir(str(existing))


def test_a_hidden_file_alone_is_enough_to_refuse(tmp_path: Path) -> None:
    (tmp_path / ".bashrc").write_text("")
    with pytest.raises(VconfError, match="not empty"):
        prepare_output_dir(str(tmp_path))


def test_a_marker_that_is_a_file_or_a_link_does_not_count(tmp_path: Path) -> None:
    as_file, as_link = tmp_path / "file", tmp_path / "link"
    as_file.mkdir()
    (as_file / MARKER).write_text("")
    as_link.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (as_link / MARKER).symlink_to(tmp_path / "elsewhere")
    for directory in (as_file, as_link):
        with pytest.raises(VconfError, match="not empty"):
            prepare_output_dir(str(directory))


def test_a_broken_link_as_the_output_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to(tmp_path / "missing")
    with pytest.raises(VconfError, match="broken symbolic link"):
        prepare_output_dir(str(tmp_path / "out"))


def test_the_output_path_itself_may_be_a_link_the_user_chose(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    write_all(prepare_output_dir(str(tmp_path / "out")), FILES)
    assert (tmp_path / "real" / "event.ics").read_bytes() == b"BEGIN:VCALENDAR\r\n"


# ---- writing ------------------------------------------------------------------------------------


def test_write_all_writes_every_file_and_the_marker(tmp_path: Path) -> None:
    written = write_all(tmp_path / "out", FILES)
    out = tmp_path / "out"
    assert written == sorted(out / name for name in FILES)
    for name, data in FILES.items():
        assert (out / name).read_bytes() == data
    assert (out / MARKER).is_dir()
    assert "vconf" in (out / MARKER / "README.txt").read_text()
    assert leftovers(out) == []


class _Made(Mapping[str, bytes]):
    """Files whose bytes are made when asked; counts the asks and the most made ones alive at
    once (alive: referred to by more than this object's own list; CPython's reference counts)."""

    def __init__(self, names: list[str]) -> None:
        self.names, self.asked = names, Counter[str]()
        self.made: list[bytes] = []
        self.most_alive = 0

    def __getitem__(self, name: str) -> bytes:
        self.asked[name] += 1
        alive = [data for data in self.made if sys.getrefcount(data) > 3]  # list, name, argument
        self.most_alive = max(self.most_alive, len(alive))
        self.made = alive
        data = (name * 1000).encode()
        self.made.append(data)
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def test_each_files_bytes_are_asked_once_as_it_is_written_and_not_held(tmp_path: Path) -> None:
    names = [f"outbox/s{index % 7}/{index}.eml" for index in range(60)]
    files = _Made(names)
    written = write_all(tmp_path / "out", files, durable=False)
    assert written == sorted(tmp_path / "out" / name for name in names)
    assert files.asked == Counter(names)
    assert files.most_alive <= 1  # the one before was let go when the next was made
    assert (tmp_path / "out" / names[8]).read_bytes() == (names[8] * 1000).encode()


def test_writing_again_replaces_each_file_whole(tmp_path: Path) -> None:
    out = marked(tmp_path / "out")
    old_inode = (out / "old.ics").stat().st_ino
    with (out / "old.ics").open("rb") as reader:  # a reader holding the old file keeps it whole
        write_all(out, {"old.ics": b"new and longer"})
        assert reader.read() == b"old"
    assert (out / "old.ics").read_bytes() == b"new and longer"
    assert (out / "old.ics").stat().st_ino != old_inode  # replaced, not rewritten in place
    assert leftovers(out) == []


def test_a_file_that_already_holds_the_same_bytes_is_left_alone(tmp_path: Path) -> None:
    out = marked(tmp_path / "out")
    before = (out / "old.ics").stat()
    written = write_all(out, {"old.ics": b"old", "new.ics": b"new"})
    after = (out / "old.ics").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert written == [out / "new.ics"]  # only what it wrote


def test_files_not_in_the_export_are_kept(tmp_path: Path) -> None:
    out = marked(tmp_path / "out")
    write_all(out, {"new.ics": b"new"})
    assert (out / "old.ics").read_bytes() == b"old"


@pytest.mark.parametrize(
    "name",
    ["../escape.ics", "/etc/passwd", "a/../../b.ics", "", ".", "a//b.ics", "./a.ics", "a/",
     "..", "a\\..\\b.ics", "a\0b", ".vconf/state.sqlite", ".vconf"],
)  # fmt: skip
def test_a_path_that_could_leave_dir_is_refused_before_anything_is_written(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(VconfError, match="must stay inside the output directory"):
        write_all(out, {"first.ics": b"x", name: b"y"})
    assert not out.exists()


def test_a_linked_folder_inside_dir_is_refused_and_not_followed(tmp_path: Path) -> None:
    out, outside = marked(tmp_path / "out"), tmp_path / "outside"
    outside.mkdir()
    (out / "people").symlink_to(outside)
    with pytest.raises(VconfError, match="symbolic link"):
        write_all(out, {"people/a.ics": b"A"})
    assert list(outside.iterdir()) == []
    assert leftovers(out) == []


def test_a_linked_file_inside_dir_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    out, victim = marked(tmp_path / "out"), tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "event.ics").symlink_to(victim)
    with pytest.raises(VconfError, match="symbolic link"):
        write_all(out, {"event.ics": b"overwritten?"})
    assert victim.read_text() == "precious"
    assert (out / "event.ics").is_symlink()


def test_a_folder_where_a_file_goes_is_refused(tmp_path: Path) -> None:
    out = marked(tmp_path / "out")
    (out / "event.ics").mkdir()
    with pytest.raises(VconfError, match="directory is in the way"):
        write_all(out, {"event.ics": b"x"})


def test_a_file_where_a_folder_goes_is_refused(tmp_path: Path) -> None:
    out = marked(tmp_path / "out")
    (out / "delegations").write_text("")
    with pytest.raises(VconfError, match="not a directory"):
        write_all(out, {"delegations/VN.ics": b"x"})


def test_a_full_disk_becomes_one_error_naming_the_file_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = marked(tmp_path / "out")
    real_write = os.write

    def write(descriptor: int, data: bytes) -> int:
        if bytes(data).startswith(b"FULL"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(VconfError) as caught:
        write_all(out, {"a.ics": b"fine", "old.ics": b"new", "people/z.ics": b"FULL"})
    assert str(caught.value) == f"cannot write {out / 'people' / 'z.ics'}: No space left on device"
    assert (out / "old.ics").read_bytes() == b"old"  # nothing renamed before every file was written
    assert not (out / "a.ics").exists()
    assert leftovers(out) == []


def test_a_failed_rename_removes_the_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = marked(tmp_path / "out")
    real_replace = os.replace

    def replace(source: str, target: str, **options: int) -> None:
        if target == "b.ics":
            raise OSError(errno.EROFS, "Read-only file system")
        real_replace(source, target, **options)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(VconfError, match=r"cannot write .*b\.ics: Read-only file system"):
        write_all(out, {"a.ics": b"a", "b.ics": b"b", "c.ics": b"c"})
    assert (out / "a.ics").read_bytes() == b"a"  # each file is old or new, never half
    assert not (out / "c.ics").exists()
    assert leftovers(out) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_directory_becomes_an_error_naming_it(tmp_path: Path) -> None:
    out = marked(tmp_path / "out")
    out.chmod(0o555)
    try:
        with pytest.raises(VconfError, match="cannot write"):
            write_all(out, {"new.ics": b"x"})
    finally:
        out.chmod(0o755)


# ---- names --------------------------------------------------------------------------------------


def test_each_file_of_spec_5_is_named_from_its_id() -> None:
    assert public_calendar_path("summit") == "summit.ics"
    assert delegation_calendar_path("VN") == "delegations/VN.ics"
    assert person_calendar_path("retno") == "people/retno.ics"
    assert invite_path("panel-2") == "invites/panel-2.ics"
    assert agenda_markdown_path("VN") == "agendas/VN.md"
    assert agenda_html_path("VN") == "agendas/VN.html"
    assert state_path(Path("out")) == Path("out/.vconf/state.sqlite")
    assert lock_path(Path("out")) == Path("out/.vconf/lock")


def test_a_calendar_path_names_its_owner_and_says_if_it_is_an_invitation() -> None:
    assert calendar_owner(delegation_calendar_path("VN")) == "VN"
    assert calendar_owner(person_calendar_path("a.b")) == "a.b"
    assert calendar_owner(public_calendar_path("summit")) == "summit"
    assert is_invite_path(invite_path("opening"))
    assert not is_invite_path(person_calendar_path("opening"))
    assert not is_invite_path("invitesx/opening.ics")


def test_the_store_accepts_exactly_the_calendar_paths_vconf_writes() -> None:
    for path in (
        public_calendar_path("summit"),
        delegation_calendar_path("VN"),
        person_calendar_path("retno"),
        invite_path("panel-2"),
    ):
        assert CALENDAR_PATH.fullmatch(path), path
    for path in (
        "../x.ics",
        "agendas/VN.ics",
        "people/../x.ics",
        "/x.ics",
        "people/x.md",
        ".x.ics",
    ):
        assert not CALENDAR_PATH.fullmatch(path), path


def test_the_named_files_are_written_where_their_names_say(tmp_path: Path) -> None:
    names = [delegation_calendar_path("VN"), invite_path("s"), agenda_html_path("VN")]
    write_all(tmp_path / "out", {name: name.encode() for name in names})
    for name in names:
        assert (tmp_path / "out" / name).read_bytes() == name.encode()


def test_a_session_uid_joins_session_event_and_uid_domain() -> None:
    event = Event(id="summit", name="Summit", tz_name="Asia/Jakarta", uid_domain="summit.example")
    assert session_uid("opening", event) == "opening.summit@summit.example"
    other = dataclasses.replace(event, uid_domain="other.example")
    assert session_uid("opening", other) != session_uid("opening", event)


def test_files_written_not_durable_are_whole_and_never_flushed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_flush(*_: object) -> None:
        raise AssertionError("flushed")

    monkeypatch.setattr(os, "sync", no_flush)
    monkeypatch.setattr(os, "fsync", no_flush)
    written = write_all(tmp_path / "out", {"a/x.eml": b"x", "b/y.eml": b"y"}, durable=False)
    assert written == [tmp_path / "out" / "a" / "x.eml", tmp_path / "out" / "b" / "y.eml"]
    assert (tmp_path / "out" / "b" / "y.eml").read_bytes() == b"y"
    assert not list((tmp_path / "out").rglob("*.tmp"))
    with pytest.raises(AssertionError, match="flushed"):
        write_all(tmp_path / "out", {"a/x.eml": b"changed"})
