"""Whether a file is comma-separated text at all, from its first bytes.

Why: an input of the wrong kind (a spreadsheet saved as binary, a semicolon- or
tab-delimited export) must be refused with one sentence saying so, before any
of it is read as rows; row by row it gives thousands of errors and none says
what is wrong. Both the CA DOJ screen (clearway.ca_doj.screen) and the contacts
file of ``clearway submit`` ask these questions.

Only a bounded prefix of a file is ever read (``read_prefix``). Reasons never
quote the file's content.
"""

from __future__ import annotations

import os

__all__ = [
    "PREFIX_BYTES",
    "binary_problem",
    "delimiter_problem",
    "read_prefix",
]

# What is read of a file to screen it: some dozens of DOJ rows, whole.
PREFIX_BYTES = 64 * 1024
# Above this share of control bytes and invalid UTF-8, a file is not text. Real
# text in another 8-bit encoding (Latin-1 names) stays far below it.
_BINARY_SHARE = 0.05
# Bytes that text may hold: printable ASCII, tab, LF, CR, and any byte >= 0x80
# (judged by decoding, below).
_TEXT_BYTES = bytes([9, 10, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def read_prefix(path: str | os.PathLike[str], limit: int = PREFIX_BYTES) -> tuple[bytes, int]:
    """The first ``limit`` bytes of a file, and the file's size."""
    with open(path, "rb") as fh:
        return fh.read(limit), os.fstat(fh.fileno()).st_size


def binary_problem(prefix: bytes) -> str | None:
    """Why ``prefix`` is not the start of a text file, or None.

    More than a few percent of control bytes (NUL included: UTF-16 text has one
    in two bytes) or of bytes that are not UTF-8. A stray one in a text file is
    a bad row for the reader to report, not a reason to refuse the file.
    """
    if not prefix:
        return None
    controls = len(prefix.translate(None, _TEXT_BYTES))
    # The prefix may end inside a character: that costs at most three replacements.
    undecodable = prefix.decode("utf-8", "replace").count("\ufffd")
    if controls + undecodable > _BINARY_SHARE * len(prefix) + 3:
        return "it holds binary data, not comma-separated UTF-8 text"
    return None


def delimiter_problem(line: str, fields: int) -> str | None:
    """Why ``line``, which should have ``fields`` comma-separated fields, is delimited otherwise, or None.

    Another delimiter must split it more often than commas do, and into at
    least half the fields (a line may lack a few columns too).
    """
    commas = line.count(",")
    if commas >= fields - 1:
        return None
    for delimiter, name in _OTHER_DELIMITERS.items():
        count = line.count(delimiter)
        if count > commas and count >= (fields - 1) // 2:
            return f"it is delimited by {name}, not commas"
    return None
