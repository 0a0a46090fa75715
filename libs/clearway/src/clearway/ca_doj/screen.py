"""Whether a file can be a CA DOJ research file at all, judged from its first bytes.

Why: a file of another shape, read row by row, gives one error per row
(thousands) and no sentence saying what is wrong, and an empty one gives a run
of nothing that looks like success. ``clearway submit`` and ``clearway
evaluate`` refuse such a file whole, with one reason, before anything is
published or written; both ask ``screen_file``.

A file is unusable when, in its first ``textfiles.PREFIX_BYTES``:

* it is empty, holds only blank lines, or a header and no data row;
* it is binary (``textfiles.binary_problem``);
* it is delimited by semicolons, tabs or bars instead of commas;
* its header (first bytes ``RECORD_ID``) lacks one of the DOJ's columns or lists
  them out of order. Columns are read by position (ca-doj-prop64.md §1.1), so a
  missing DISP_DATE would shift every later value into the wrong column. Only
  END_OF_REC, the end marker, may be missing: gogen's own ``bad.csv`` lacks it,
  and is a DOJ file whose rows (94 fields) are each reported as malformed;
* it has no header and none of its first records has the 95 fields of a row.

Not unusable: a DOJ file with some (or all) malformed rows under a DOJ header,
which are reported row by row, and a file with no header whose rows have 95
fields (gogen's ``no_headers.csv``). gogen's own refusal of a file shorter than
its 128-byte header sniff (``EOF``) is the callers' to apply first, for its
rule version. Reasons name columns, never the file's content.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from clearway.textfiles import PREFIX_BYTES, binary_problem, delimiter_problem, read_prefix

from .columns import COLUMNS, END_OF_REC, HEADER_TOKEN, NUM_COLUMNS
from .reader import BOM, parse_records

__all__ = ["UnusableFile", "screen_file", "screen_files", "screen_prefix"]

# Records looked at in a file without a header: one with 95 fields is enough.
SAMPLE_RECORDS = 50
# The columns a header must list, in this order (all but the end marker).
_REQUIRED = COLUMNS[:END_OF_REC]
_NAMES_SHOWN = 5


@dataclass(frozen=True)
class UnusableFile:
    """A file that cannot be a CA DOJ research file, and why."""

    file: str  # as the caller named it
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: not a usable CA DOJ research file: {self.reason}"


def screen_files(paths) -> list[UnusableFile]:
    """The unusable files among ``paths`` (paths as given), in order."""
    found = []
    for path in paths:
        reason = screen_file(path)
        if reason is not None:
            found.append(UnusableFile(os.fspath(path), reason))
    return found


def screen_file(path: str | os.PathLike[str]) -> str | None:
    """Why the file at ``path`` cannot be a CA DOJ research file, or None when it may be.

    Reads only its first PREFIX_BYTES. An unreadable file is the caller's to report.
    """
    prefix, size = read_prefix(Path(path))
    return screen_prefix(prefix, whole=len(prefix) >= size)


def screen_prefix(prefix: bytes, *, whole: bool) -> str | None:
    """screen_file's verdict on a file's first bytes; ``whole``: they are the whole file."""
    if not prefix:
        return "it is empty"
    problem = binary_problem(prefix)
    if problem is not None:
        return problem
    if prefix.startswith(BOM):
        prefix = prefix[len(BOM):]
    header = prefix.startswith(HEADER_TOKEN.encode("ascii"))
    if not whole:
        end = prefix.rfind(b"\n")
        if end < 0:
            # One line longer than the prefix: no header is that long; a data
            # line that long is the reader's to report as a record too long.
            return f"its header is longer than {PREFIX_BYTES // 1024} KiB" if header else None
        prefix = prefix[: end + 1]
    lines = prefix.decode("utf-8", "surrogateescape").split("\n")
    if header:
        problem = _header_problem(lines[0].removesuffix("\r"))
        if problem is not None:
            return problem
        lines = lines[1:]
    records = [line for line in lines if line.strip()]
    if not records:
        if not whole:
            return None  # blank lines as far as we looked: the rows decide
        return "it has a header but no data rows" if header else "it has no data rows, only blank lines"
    if header:
        return None
    problem = delimiter_problem(records[0], NUM_COLUMNS)
    if problem is not None:
        return problem
    counts = []
    for _, _, fields in parse_records(csv.reader(line + "\n" for line in lines)):
        if isinstance(fields, list) and fields:
            counts.append(len(fields))
            if len(fields) == NUM_COLUMNS or len(counts) == SAMPLE_RECORDS:
                break
    if NUM_COLUMNS in counts or not counts:
        return None
    return (f"it has no header, and none of its first {len(counts)} records has the "
            f"{NUM_COLUMNS} fields of a DOJ row (the first has {counts[0]})")


def _header_problem(line: str) -> str | None:
    """Why a header line (it begins with RECORD_ID) is not the DOJ's, or None."""
    problem = delimiter_problem(line, NUM_COLUMNS)
    if problem is not None:
        return problem
    try:
        names = [name.strip().upper() for name in next(csv.reader([line]))]
    except csv.Error:
        return "its header is not a comma-separated line of column names"
    present = set(names)
    missing = [name for name in _REQUIRED if name not in present]
    if missing:
        shown = ", ".join(missing[:_NAMES_SHOWN])
        if len(missing) > _NAMES_SHOWN:
            shown += f" and {len(missing) - _NAMES_SHOWN} more"
        return (f"its header lacks the column{'s' if len(missing) > 1 else ''} {shown} "
                f"(the {NUM_COLUMNS} columns are read by position)")
    for position, name in enumerate(_REQUIRED):
        if names[position] != name:
            return (f"its header lists the columns out of order: column {position + 1} "
                    f"is not {name} (the {NUM_COLUMNS} columns are read by position)")
    return None
