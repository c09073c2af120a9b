"""`vconf send` against a real SMTP server (aiosmtpd on 127.0.0.1), SPEC §9.

Every received message is parsed back with `email`, its calendar part with icalendar.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result

from test_mail import Collector, authenticate, certificate, serve, server_context
from vconf.cli import cli

ROOT = Path(__file__).parent.parent
DANANG = ROOT / "examples" / "danang-partners-2023.toml"
ICDD = ROOT / "examples" / "icdd-2021.toml"
EPOCH = 1_700_000_000
__all__ = ["certificate"]  # a fixture, used by name


def export(source: Path, out: Path, hour: int = 0) -> None:
    result = CliRunner().invoke(
        cli,
        ["export", str(source), "-o", str(out)],
        env={"SOURCE_DATE_EPOCH": str(EPOCH + 3600 * hour)},
    )
    assert result.exit_code in (0, 1), (result.output, result.exception)  # ICDD has errors
    assert (out / "invites").is_dir()


def send(out: Path, *options: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["send", str(out), *options], env=env or {})


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def calendar_of(message: EmailMessage) -> tuple[EmailMessage, icalendar.Calendar]:
    """Return the text/calendar part and its calendar, checking the message's layout."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    plain, part = alternative.iter_parts()  # type: ignore[attr-defined]
    assert plain.get_content_type() == "text/plain"
    assert part.get_content_type() == "text/calendar"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_payload(decode=True) == part.get_payload(decode=True)
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(calendar["METHOD"])
    return part, calendar


def event_of(calendar: icalendar.Calendar) -> Any:
    (event,) = calendar.walk("VEVENT")
    return event


def received(handler: Collector) -> list[tuple[str, EmailMessage]]:
    """Return each envelope's recipient and its message, parsed."""
    found = []
    for envelope in handler.envelopes:
        (recipient,) = envelope.rcpt_tos
        found.append((recipient, parse(envelope.original_content)))
    return found


def attendees(event: Any) -> set[str]:
    people = event.get("ATTENDEE", [])
    people = people if isinstance(people, list) else [people]
    return {str(person).removeprefix("mailto:").lower() for person in people}


@pytest.fixture
def server() -> Iterator[tuple[Collector, str]]:
    for handler, where in serve(Collector(refused=frozenset({"karin.lindqvist@boras.example"}))):
        yield handler, f"smtp://{where.host}:{where.port}"


@pytest.fixture
def open_server() -> Iterator[tuple[Collector, str]]:
    for handler, where in serve(Collector()):
        yield handler, f"smtp://{where.host}:{where.port}"


def test_review_first_then_one_message_per_invitation_and_recipient_then_nothing(
    tmp_path: Path, open_server: tuple[Collector, str]
) -> None:
    handler, url = open_server
    out = tmp_path / "out"
    export(DANANG, out)
    review = send(out, "--format", "json")
    assert review.exit_code == 0, review.output
    listed = json.loads(review.stdout)["messages"]
    assert listed
    assert handler.envelopes == []  # nothing is sent without --confirm
    for item in listed:
        draft = parse((out / item["draft"]).read_bytes())
        assert draft["Message-ID"] == item["message_id"]
        assert item["state"] == "listed"
    delivered = send(out, "--confirm", "--smtp", url)
    assert delivered.exit_code == 0, delivered.output
    got = received(handler)
    assert len(got) == len(listed)
    pairs = Counter()
    ids = {(item["uid"], item["recipient"].lower()): item["message_id"] for item in listed}
    for recipient, message in got:
        part, calendar = calendar_of(message)
        event = event_of(calendar)
        uid = str(event["UID"])
        pairs[(uid, recipient.lower())] += 1
        assert message["Message-ID"] == ids[(uid, recipient.lower())]  # the one reviewed
        assert recipient.lower() in attendees(event)
        assert "international@danang.example" not in attendees(event)  # not to its organizer
        assert message["From"].addresses[0].addr_spec == "international@danang.example"
        assert message["To"].addresses[0].addr_spec == recipient
        session = next(item["session"] for item in listed if item["uid"] == uid)
        assert part.get_payload(decode=True) == (out / "invites" / f"{session}.ics").read_bytes()
        assert message["Subject"].startswith("Invitation: ")
    assert set(pairs.values()) == {1}
    again = send(out, "--confirm", "--smtp", url, "--format", "json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["messages"] == []
    assert len(handler.envelopes) == len(listed)


def test_a_change_and_re_export_sends_only_the_updates_and_the_cancel(
    tmp_path: Path, open_server: tuple[Collector, str]
) -> None:
    handler, url = open_server
    source = tmp_path / "danang.toml"
    text = DANANG.read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    export(source, out)
    assert send(out, "--confirm", "--smtp", url).exit_code == 0
    first = len(handler.envelopes)
    moved = text.replace("start = 2023-03-15T20:00:00", "start = 2023-03-16T20:00:00", 1)
    block = moved.index('id = "atlantic-2023-04"')
    start = moved.rindex("[[sessions]]", 0, block)
    end = moved.index("[[sessions]]", block)
    source.write_text(moved[:start] + moved[end:], encoding="utf-8")  # atlantic-2023-04 goes
    export(source, out, hour=1)
    result = send(out, "--confirm", "--smtp", url)
    assert result.exit_code == 0, result.output
    later = received(handler)[first:]
    methods = {}
    for _, message in later:
        _, calendar = calendar_of(message)
        event = event_of(calendar)
        assert int(event["SEQUENCE"]) >= 1
        methods.setdefault(str(event["UID"]).split("@")[0], set()).add(str(calendar["METHOD"]))
        if str(calendar["METHOD"]) == "CANCEL":
            assert message["Subject"].startswith("Cancelled: ")
        else:
            assert message["Subject"].startswith("Updated invitation: ")
    assert len(methods) == 2
    assert {frozenset(found) for found in methods.values()} == {
        frozenset({"REQUEST"}),
        frozenset({"CANCEL"}),
    }
    assert send(out, "--confirm", "--smtp", url, "--format", "json").exit_code == 0
    assert len(handler.envelopes) == first + len(later)


def test_a_refused_recipient_fails_and_goes_on_the_next_run(
    tmp_path: Path, server: tuple[Collector, str], open_server: tuple[Collector, str]
) -> None:
    handler, url = server
    out = tmp_path / "out"
    export(DANANG, out)
    result = send(out, "--confirm", "--smtp", url, "--format", "json")
    assert result.exit_code == 1
    failed = [item for item in json.loads(result.stdout)["messages"] if item["state"] == "failed"]
    assert failed
    assert {item["recipient"] for item in failed} == {"karin.lindqvist@boras.example"}
    assert len(handler.envelopes) == len(json.loads(result.stdout)["messages"]) - len(failed)
    retry_handler, retry_url = open_server
    retry = send(out, "--confirm", "--smtp", retry_url, "--format", "json")
    assert retry.exit_code == 0
    assert [item["recipient"] for item in json.loads(retry.stdout)["messages"]] == [
        item["recipient"] for item in failed
    ]
    assert len(retry_handler.envelopes) == len(failed)


def test_a_restricted_session_goes_only_to_its_parties(
    tmp_path: Path, open_server: tuple[Collector, str]
) -> None:
    handler, url = open_server
    out = tmp_path / "out"
    export(ICDD, out)
    assert send(out, "--confirm", "--smtp", url).exit_code == 0
    recipients, everyone = set(), set()
    for recipient, message in received(handler):
        event = event_of(calendar_of(message)[1])
        everyone.add(recipient.lower())
        if str(event["UID"]).startswith("bilateral-id-vn"):
            recipients.add(recipient.lower())
    assert recipients
    written = icalendar.Calendar.from_ical((out / "invites" / "bilateral-id-vn.ics").read_bytes())
    assert recipients == attendees(event_of(written))
    assert len(recipients) < len(everyone)  # the other delegations hear nothing of it


def test_an_event_without_an_organizer_email_is_refused(
    tmp_path: Path, open_server: tuple[Collector, str]
) -> None:
    handler, url = open_server
    source = tmp_path / "danang.toml"
    text = DANANG.read_text(encoding="utf-8")
    source.write_text(text.replace(', email = "international@danang.example"', "", 1))
    out = tmp_path / "out"
    export(source, out)
    result = send(out, "--confirm", "--smtp", url)
    assert result.exit_code == 2
    assert "organizer email" in result.stderr
    assert handler.envelopes == []


def test_a_directory_without_an_export_is_misuse(tmp_path: Path) -> None:
    result = send(tmp_path)
    assert result.exit_code == 2
    assert "holds no export" in result.stderr


def test_starttls_with_a_self_signed_certificate_and_a_login(
    tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    out = tmp_path / "out"
    export(DANANG, out)
    env = {
        "SSL_CERT_FILE": str(certificate[0]),  # trusted as a ministry's own CA would be
        "VCONF_SMTP_USER": "vconf",
        "VCONF_SMTP_PASSWORD": "s3cret",
    }
    options = {
        "tls_context": server_context(certificate),
        "authenticator": authenticate,
        "auth_require_tls": True,
    }
    for handler, where in serve(Collector(), **options):
        env["VCONF_SMTP"] = f"smtp://{where.host}:{where.port}"
        result = send(out, "--confirm", env=env)
        assert result.exit_code == 0, (result.output, result.exception)
        assert handler.envelopes
        for _, message in received(handler):
            calendar_of(message)
    for handler, where in serve(Collector(), **options):
        bad = {**env, "VCONF_SMTP": f"smtp://{where.host}:{where.port}"}
        bad["VCONF_SMTP_PASSWORD"] = "wrong"
        (out / ".vconf" / "state.sqlite").unlink()  # start afresh: everything is due again
        export(DANANG, out)
        refused = send(out, "--confirm", env=bad)
        assert refused.exit_code == 2
        assert "refuses the login" in refused.stderr
        assert handler.envelopes == []


@pytest.mark.parametrize(
    "fault", ["mail-accepted", "mail-marked", "mail-delivered", "mail-recorded"]
)
def test_a_run_killed_at_any_moment_never_sends_twice(
    tmp_path: Path, open_server: tuple[Collector, str], fault: str
) -> None:
    handler, url = open_server
    out = tmp_path / "out"
    export(DANANG, out)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "VCONF_FAULT": fault}
    command = [sys.executable, "-m", "vconf", "send", str(out), "--confirm", "--smtp", url]
    killed = subprocess.run(command, env=env, capture_output=True, check=False)
    assert killed.returncode == 137
    env.pop("VCONF_FAULT")
    for _ in range(2):
        again = subprocess.run(command, env=env, capture_output=True, check=False)
        assert again.returncode == 0, again.stderr
    counts = Counter(
        (str(event_of(calendar_of(message)[1])["UID"]), recipient.lower())
        for recipient, message in received(handler)
    )
    assert set(counts.values()) == {1}  # never twice
    review = subprocess.run(
        [*command[:5], "--format", "json"], env=env, capture_output=True, check=False
    )
    assert json.loads(review.stdout)["messages"] == []
    resend = [*command, "--resend-unknown", "--format", "json"]
    after = json.loads(subprocess.run(resend, env=env, capture_output=True, check=True).stdout)
    unknown = 1 if fault in ("mail-marked", "mail-delivered") else 0
    assert len(after["messages"]) == unknown  # the one a kill left `unknown`
