"""What `vconf send` says: each message, as text or JSON (SPEC §9)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


class SendReport(Protocol):
    """What `vconf.mail.sending.SendReport` offers (render sits beside mail, not above it)."""

    @property
    def directory(self) -> Path: ...
    @property
    def confirmed(self) -> bool: ...
    @property
    def results(self) -> Sequence[Any]: ...
    @property
    def failed(self) -> int: ...


_VERBS = {"listed": "would send", "sent": "sent", "failed": "FAILED", "unknown": "UNKNOWN"}


def send_as_text(report: SendReport) -> str:
    """Return one line per message (state, kind, session, recipient), then the totals."""
    lines = []
    for result in report.results:
        message = result.planned.outgoing
        line = (
            f"{_VERBS[result.state]:<10} {message.kind.value:<9} {message.session_id}"
            f" (SEQUENCE {message.sequence}) to {message.recipient}"
        )
        if result.state in ("failed", "unknown") and result.detail:
            line += f": {result.detail}"
        lines.append(line)
    count = len(report.results)
    if not count:
        lines.append("Nothing to send: every invitation has gone to every recipient.")
    elif report.confirmed:
        lines.append(f"{count - report.failed} of {count} message(s) sent.")
    else:
        lines.append(
            f"{count} message(s) to send, drafts in {report.directory / 'outbox'}; "
            "run again with --confirm to deliver them."
        )
    return "\n".join(lines) + "\n"


def send_as_json(report: SendReport) -> str:
    """Return the run as one JSON document: whether it delivered, and each message."""
    document = {
        "directory": str(report.directory),
        "confirmed": report.confirmed,
        "messages": [
            {
                "session": result.planned.outgoing.session_id,
                "uid": result.planned.outgoing.uid,
                "sequence": result.planned.outgoing.sequence,
                "recipient": result.planned.outgoing.recipient,
                "kind": result.planned.outgoing.kind.value,
                "method": result.planned.outgoing.method,
                "message_id": result.planned.message_id,
                "draft": result.planned.draft,
                "state": result.state,
                "detail": result.detail,
            }
            for result in report.results
        ],
        "failed": report.failed,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
