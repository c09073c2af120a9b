"""Delivery over one SMTP connection, with one outcome per message: sent, failed or unknown."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from urllib.parse import urlsplit

from vconf.errors import VconfError
from vconf.mail.message import Mail

TIMEOUT = 30.0  # seconds per network wait: a dead server stops the run, not hangs it
_PORTS = {"smtp": 587, "smtps": 465}


class Outcome(Enum):
    """What became of one message (SPEC §9 message states, less `pending`)."""

    SENT = "sent"
    FAILED = "failed"  # the server refused it; the next run tries again
    UNKNOWN = "unknown"  # cut off after the content went: the server may have taken it


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message's outcome and the server's words about it."""

    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Server:
    """Where to deliver: `smtps` speaks TLS from the start, `smtp` upgrades when offered."""

    scheme: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class Credentials:
    """A login, read from the environment only (never from the TOML file)."""

    user: str
    password: str = ""


def read_server(url: str) -> Server:
    """Return the server an `smtp://host:port` or `smtps://host:port` URL names."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise VconfError(f"the SMTP URL {url!r} is not smtp://host:port: {error}") from error
    if parts.scheme not in _PORTS:
        raise VconfError(f"the SMTP URL {url!r} is not smtp://host:port or smtps://host:port")
    if not parts.hostname or parts.username or parts.password:
        raise VconfError(
            f"the SMTP URL {url!r} needs a host and no credentials"
            " (use VCONF_SMTP_USER and VCONF_SMTP_PASSWORD)"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise VconfError(f"the SMTP URL {url!r} has more than scheme://host:port")
    return Server(scheme=parts.scheme, host=parts.hostname, port=port or _PORTS[parts.scheme])


def read_credentials(environ: Mapping[str, str]) -> Credentials | None:
    """Return the login `VCONF_SMTP_USER`/`VCONF_SMTP_PASSWORD` give, or None without a user."""
    user = environ.get("VCONF_SMTP_USER", "")
    password = environ.get("VCONF_SMTP_PASSWORD", "")
    if not user:
        if password:
            raise VconfError("VCONF_SMTP_PASSWORD is set but VCONF_SMTP_USER is not")
        return None
    return Credentials(user=user, password=password)


class Transport:
    """One SMTP connection, opened on entry and reused for every message sent through it.

    A connection lost mid-run is opened again for the next message; opening or logging in
    failing is a `VconfError` (the server cannot be reached or refuses the login).
    """

    def __init__(
        self,
        server: Server,
        *,
        credentials: Credentials | None = None,
        context: ssl.SSLContext | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.server = server
        self.credentials = credentials
        self.context = context or ssl.create_default_context()
        self.timeout = timeout
        self.connections = 0  # how many were opened (one, unless the server cut one)
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect now, so that an unreachable server or a refused login stops the run first."""
        if self._smtp is None:
            self._connect()

    def close(self) -> None:
        """Say QUIT if the connection still stands, and let it go."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, mail: Mail, *, before_content: Callable[[], None] | None = None) -> Delivery:
        """Deliver one message from its sender to its recipient and say what became of it.

        `before_content` runs once the server has accepted the recipient, just before the
        content goes: the moment after which a cut leaves the message `unknown`, so a store
        marks it there and a run killed mid-send never sends it twice.
        """
        sender, recipient = mail.sender, mail.recipient
        smtp = self._smtp or self._connect()
        try:
            refusal = _envelope(smtp, sender, recipient)
        except smtplib.SMTPServerDisconnected:
            # an idle connection the server closed between two messages: open one again, once
            self._drop()
            smtp = self._connect()
            try:
                refusal = _envelope(smtp, sender, recipient)
            except smtplib.SMTPServerDisconnected as error:
                self._drop()
                return Delivery(Outcome.FAILED, f"connection lost before the message went: {error}")
        if refusal:
            return Delivery(Outcome.FAILED, refusal)
        if before_content is not None:
            before_content()
        return self._content(smtp, mail.data)

    def _content(self, smtp: smtplib.SMTP, data: bytes) -> Delivery:
        """Send the content and read the reply; a cut on the way is `unknown`."""
        try:
            smtp.send(_dot_stuffed(data))
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            return Delivery(Outcome.UNKNOWN, f"connection lost after the message went: {error}")
        text = reply.decode(errors="replace")
        if code != 250:
            _reset(smtp)
            return Delivery(Outcome.FAILED, f"{code} {text}")
        return Delivery(Outcome.SENT, f"{code} {text}")

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in a connection, or raise a `VconfError` saying why not."""
        where = f"{self.server.scheme}://{self.server.host}:{self.server.port}"
        try:
            smtp = self._open()
        except (smtplib.SMTPException, OSError) as error:
            raise VconfError(f"cannot reach the mail server {where}: {_reason(error)}") from error
        try:
            self._secure_and_login(smtp, where)
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        self.connections += 1
        return smtp

    def _open(self) -> smtplib.SMTP:
        """Return a connection that has said EHLO, over TLS when offered or asked for."""
        server = self.server
        if server.scheme == "smtps":
            smtps = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self.timeout, context=self.context
            )
            smtps.ehlo()
            return smtps
        smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=self.context)
            smtp.ehlo()
        return smtp

    def _secure_and_login(self, smtp: smtplib.SMTP, where: str) -> None:
        """Log in when credentials are given, never sending a password in the clear."""
        if self.credentials is None:
            return
        if not isinstance(smtp.sock, ssl.SSLSocket):
            raise VconfError(
                f"the mail server {where} offers no TLS; vconf never sends a password without it"
            )
        try:
            smtp.login(self.credentials.user, self.credentials.password)
        except (smtplib.SMTPException, OSError) as error:
            raise VconfError(
                f"the mail server {where} refuses the login: {_reason(error)}"
            ) from error

    def _drop(self) -> None:
        """Forget a connection the server has cut; the next message opens a new one."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _envelope(smtp: smtplib.SMTP, sender: str, recipient: str) -> str:
    """Say MAIL, RCPT and DATA; return the server's refusal, or "" once it waits for content.

    The addresses go as `<address>`, what `smtplib`'s `mail` and `rcpt` make of them after
    parsing each again: `message` lets only plain ASCII name@domain addresses through.
    """
    for command, argument in (("mail", f"FROM:<{sender}>"), ("rcpt", f"TO:<{recipient}>")):
        code, reply = smtp.docmd(command, argument)
        if code != 250 and not (command == "rcpt" and code == 251):
            _reset(smtp)
            return f"{command.upper()} {code} {reply.decode(errors='replace')}"
    code, reply = smtp.docmd("DATA")
    if code != 354:
        _reset(smtp)
        return f"DATA {code} {reply.decode(errors='replace')}"
    return ""


def _reset(smtp: smtplib.SMTP) -> None:
    """Abandon the current transaction so the connection serves the next message."""
    with contextlib.suppress(smtplib.SMTPServerDisconnected):  # the next send reconnects
        smtp.rset()


def _dot_stuffed(data: bytes) -> bytes:
    """Return the content as DATA carries it: leading dots doubled, ended by CRLF.CRLF."""
    stuffed = re.sub(rb"(?m)^\.", b"..", data) if data[:1] == b"." or b"\n." in data else data
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _reason(error: BaseException) -> str:
    """Return an SMTP or socket error as one short line."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"{error.smtp_code} {' '.join(text.split())}"
    return " ".join(str(error).split()) or type(error).__name__
