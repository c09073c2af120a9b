"""The only TOML reader: a file becomes a `Conference`, or a VconfError saying where and why.

`document` reads the file (size limit, UTF-8, chunked parse), `schema` reads its tables into the
model's records and `values` reads each value.
"""

from vconf.load.document import conference_from_bytes, conference_from_text, read_conference
from vconf.load.values import read_duration

__all__ = ["conference_from_bytes", "conference_from_text", "read_conference", "read_duration"]
