"""iMIP by email (SPEC §9): the only `email`/`smtplib` user.

`content` reads and edits invitation bytes, `message` builds the messages and drafts, `outbox`
decides what goes (pure), `smtp` delivers and says what became of each message.
"""
