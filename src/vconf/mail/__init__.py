"""iMIP by email (SPEC §9): the only `email`/`smtplib` user.

`content` reads and edits invitation bytes, `message` builds the messages and drafts, `outbox`
decides what goes (pure), `smtp` delivers and says what became of each message.

The seam with the store (`revisions`, the only sqlite3 user), as proposed::

    CREATE TABLE invitation (              -- every version export issued: outbox.Version
        uid TEXT NOT NULL, sequence INTEGER NOT NULL CHECK (sequence >= 0),
        session_id TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
        ics BLOB NOT NULL,                 -- invites/<id>.ics of that version, byte for byte
        PRIMARY KEY (uid, sequence)) WITHOUT ROWID;
    CREATE TABLE message (                 -- one row per (version, mailbox): outbox.MessageState
        uid TEXT NOT NULL, sequence INTEGER NOT NULL,
        recipient TEXT NOT NULL,           -- content.recipient_key(address): case-blind
        address TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'unknown')),
        message_id TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', updated_utc TEXT NOT NULL,
        PRIMARY KEY (uid, sequence, recipient),
        FOREIGN KEY (uid, sequence) REFERENCES invitation (uid, sequence)) WITHOUT ROWID;

Sending one planned message: write its row `unknown` (committed) in `Transport.send`'s
`before_content` hook, then `sent` or `failed` from the `Delivery`; a run killed in between leaves
`unknown`, which goes again only with `--resend-unknown`.
"""
