"""Lists of row ids from a query string (`?ids=1,2,3`, the live progress of imports), bounded.

Both databases store ids as signed 64-bit integers, and SQLite raises OverflowError for a larger
Python int in an `IN (...)` list, which would end a request in a 500. (Django 5 already treats a
single out-of-range id in an `=` lookup, as in `<int:job_id>` URLs, as matching nothing.) So id
lists are read here only: at most MAX_LISTED ids, each from 1 to MAX_ID, else ValueError.
"""

MAX_ID = 2**63 - 1
MAX_LISTED = 100


def parse_ids(raw):
    """Job ids from `?ids=1,2,3` (at most MAX_LISTED, each from 1 to MAX_ID); ValueError else."""
    parts = [part.strip() for part in raw.split(",") if part.strip()] if raw else []
    if len(parts) > MAX_LISTED:
        raise ValueError(f"at most {MAX_LISTED} ids")
    ids = [int(part) for part in parts if part.isascii() and part.isdigit()]
    if len(ids) != len(parts) or not all(1 <= value <= MAX_ID for value in ids):
        raise ValueError(f"ids are whole numbers from 1 to {MAX_ID}")
    return ids
