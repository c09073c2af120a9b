"""The only TOML reader: a file becomes a `Conference`, or a VconfError saying where and why.

`document` reads the file (size limit, UTF-8, chunked parse); `records` reads its tables into the
model's records through the one table reader of `schema` (`{key: (reader, required)}`), each value
by a reader of `values`; `report` collects every input error (the first 50 kept, the rest
counted) and `places` finds their lines in the source, only when there are errors.
"""

from vconf.load.document import conference_from_bytes, conference_from_text, read_conference
from vconf.load.values import read_duration, zone_value

__all__ = [
    "conference_from_bytes",
    "conference_from_text",
    "read_conference",
    "read_duration",
    "zone_value",
]
