"""`ImportRejected`: why an upload can't be imported, in one sentence for the person.

Its own module so that every reader of uploads (`imports.exports` for Spotify's files,
`imports.readers` for other services') raises the same exception.
"""

from __future__ import annotations


class ImportRejected(Exception):
    """The upload can't be imported; `str(exc)` is one clear sentence for the person.

    `code` is machine-readable (see docs/imports.md for every code and message); `member` names the
    file inside the ZIP the problem is in, when there is one.
    """

    def __init__(self, code: str, message: str, *, member: str | None = None):
        super().__init__(message)
        self.code = code
        self.member = member

    @classmethod
    def too_many_records(cls, limit: int) -> ImportRejected:
        """What a caller counting rows raises once an import passes `Limits.max_records`."""
        return cls(
            "too_many_records",
            f"This export holds more than {limit:,} records, the most one import may hold "
            "(IMPORT_MAX_RECORDS).",
        )
